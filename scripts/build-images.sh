#!/bin/sh
# Builds the local images Pistages' tests and examples use, without pulling from any registry.
#   pistages-test/busybox:1  a rootfs of the host's static busybox (apt: busybox-static)
#   pistages/git:local       Debian bookworm minbase + git, make, ca-certificates (debootstrap)
# Idempotent: an image whose tag already exists is skipped. Re-build with FORCE=1.
# The Debian mirror is the one this machine's apt uses (its sources); override with MIRROR=...
set -eu

BUSYBOX_TAG=${BUSYBOX_TAG:-pistages-test/busybox:1}
GIT_TAG=${GIT_TAG:-pistages/git:local}
SUITE=${SUITE:-bookworm}
FORCE=${FORCE:-0}

have_image() { [ "$FORCE" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

apt_mirror() {
  # the first http(s) archive in apt's sources (deb822 "URIs:" or one-line "deb [opts] URL suite"),
  # security archives aside: debootstrap needs the main archive
  grep -hE '^[[:space:]]*(URIs:|deb[[:space:]])' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
    | grep -v security | grep -Eo 'https?://[^[:space:]]+' | head -n 1 || true
}

build_busybox() {
  if have_image "$BUSYBOX_TAG"; then echo "$BUSYBOX_TAG: present, skipped"; return; fi
  busybox=$(command -v busybox || true)
  [ -n "$busybox" ] || { echo "busybox not found: apt-get install busybox-static" >&2; exit 1; }
  if ldd "$busybox" >/dev/null 2>&1; then
    echo "$busybox is dynamically linked; install busybox-static" >&2; exit 1
  fi
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root" "$dir/workspace"
  chmod 1777 "$dir/tmp"
  cp "$busybox" "$dir/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$dir/etc/group"
  tar -C "$dir" --numeric-owner --owner=0 --group=0 -c . \
    | docker import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' - "$BUSYBOX_TAG" >/dev/null
  rm -rf "$dir"; trap - EXIT
  echo "$BUSYBOX_TAG: built"
}

# The examples clone /srv/demo.git (examples/local/demo-repo as a one-commit bare repository), so
# the "Build and Lint" tour runs with no network at all.
add_demo_repo() {
  src_dir=$(cd "$(dirname "$0")/../examples/local/demo-repo" && pwd)
  work=$(mktemp -d)
  cp -r "$src_dir/." "$work/"
  git -C "$work" init --quiet --initial-branch=main
  git -C "$work" add -A
  git -C "$work" -c user.name=Pistages -c user.email=demo@pistages.invalid commit --quiet -m "Demo project"
  git clone --quiet --bare "$work" "$1"
  rm -rf "$work"
}

build_git() {
  if have_image "$GIT_TAG"; then echo "$GIT_TAG: present, skipped"; return; fi
  command -v debootstrap >/dev/null || { echo "debootstrap not found: apt-get install debootstrap" >&2; exit 1; }
  mirror=${MIRROR:-$(apt_mirror)}
  if [ -z "$mirror" ]; then
    echo "no Debian archive found in /etc/apt/sources.list or /etc/apt/sources.list.d/; set MIRROR to the" >&2
    echo "Debian mirror this machine can reach, e.g. MIRROR=<mirror URL>/debian $0 git" >&2
    exit 1
  fi
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  start=$(date +%s)
  debootstrap --variant=minbase --include=git,make,ca-certificates "$SUITE" "$dir" "$mirror" >"$dir.log" 2>&1 \
    || { echo "debootstrap failed; see $dir.log" >&2; exit 1; }
  add_demo_repo "$dir/srv/demo.git"
  # keep the image small: package lists and caches are not needed at run time
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/*
  tar -C "$dir" --numeric-owner -c . \
    | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["/bin/sh"]' - "$GIT_TAG" >/dev/null
  rm -rf "$dir" "$dir.log"; trap - EXIT
  echo "$GIT_TAG: built in $(( $(date +%s) - start ))s (mirror $mirror)"
}

case "${1:-all}" in
  busybox) build_busybox ;;
  git) build_git ;;
  all) build_busybox; build_git ;;
  *) echo "usage: $0 [busybox|git|all]" >&2; exit 2 ;;
esac

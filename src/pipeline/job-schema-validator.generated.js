// Generated from src/pipeline/schema.ts by scripts/write-schema.ts (`npm run schema`); do not edit.
// ajv's standalone validator of the job schema, options {"allErrors":true,"strict":true,"strictRequired":false,"allowUnionTypes":true}.

export const validate = validate10;
export default validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","$comment":"Generated from src/pipeline/schema.ts by `npm run schema`; edit that file, not this one.","title":"Pistages job","description":"A Pistages job file. The same file can be run as a job or registered under its `name` and reused by other jobs as an action (`dep:`).","type":"object","required":["name"],"oneOf":[{"required":["run"]},{"required":["uses"]}],"additionalProperties":false,"properties":{"name":{"title":"Name","description":"Display name; the registry key when the file is registered as an action. Any text.","type":"string","pattern":"\\S"},"description":{"title":"Description","description":"Shown in the UI and by `pistages actions`.","type":"string"},"image":{"$ref":"#/definitions/image","description":"Container image of the steps when nothing closer gives one (with `uses`: the default image of a group whose first step has none)."},"run":{"$ref":"#/definitions/commands","description":"The command(s) of a one-step job. Not allowed together with `uses`."},"with":{"$ref":"#/definitions/parameters"},"env":{"$ref":"#/definitions/environment"},"uses":{"title":"Groups","description":"Groups run in parallel; the steps of a group run in order, each after the previous one succeeded.","type":"object","minProperties":1,"propertyNames":{"$ref":"#/definitions/identifier"},"additionalProperties":{"$ref":"#/definitions/group"}},"timeout":{"$ref":"#/definitions/duration","description":"Time limit of each step that sets none itself."},"retry":{"title":"Retries","description":"Automatic retries of a failed group: `retry: 2` means at most three attempts. Default: the server setting.","type":"integer","minimum":0},"resources":{"$ref":"#/definitions/resources"},"secrets":{"title":"Secrets","description":"Names of stored secrets exposed to every step as environment variables of the same name.","type":"array","uniqueItems":true,"items":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$"}},"on":{"title":"Triggers","description":"Which pushes and pull requests run this job (only for jobs in a repository's `.pistages/` folder). Without `on`: every push to a branch, no pull requests.","type":"object","minProperties":1,"additionalProperties":false,"properties":{"push":{"title":"Push trigger","description":"Run on pushes. Without filters: every branch, no tags, any change.","type":["object","null"],"additionalProperties":false,"properties":{"branches":{"type":"array","description":"Branches that trigger (default: every branch). Glob patterns (`*` within a path segment, `**` across segments, a leading `!` excludes). Example: `[main, \"release/*\"]`","items":{"type":"string","minLength":1}},"tags":{"type":"array","description":"Tags that trigger (default: none). Glob patterns (`*` within a path segment, `**` across segments, a leading `!` excludes). Example: `[\"v*\"]`","items":{"type":"string","minLength":1}},"paths":{"type":"array","description":"Run only if a changed file matches (default: any change). Glob patterns (`*` within a path segment, `**` across segments, a leading `!` excludes). Example: `[\"src/**\", \"!docs/**\"]`","items":{"type":"string","minLength":1}}}},"pull_request":{"title":"Pull request trigger","description":"Run on pull requests when they are opened, reopened or pushed to. Without filters: every base branch, any change.","type":["object","null"],"additionalProperties":false,"properties":{"branches":{"type":"array","description":"Base branches (the branch merged into) that trigger (default: every branch). Glob patterns (`*` within a path segment, `**` across segments, a leading `!` excludes). Example: `[main]`","items":{"type":"string","minLength":1}},"paths":{"type":"array","description":"Run only if a file changed by the pull request matches (default: any change). Glob patterns (`*` within a path segment, `**` across segments, a leading `!` excludes). Example: `[\"src/**\", \"!docs/**\"]`","items":{"type":"string","minLength":1}}}}}}},"definitions":{"identifier":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_-]*$"},"image":{"title":"Image","type":"string","pattern":"^\\S+$","examples":["alpine/git","node:20-alpine"]},"commands":{"title":"Commands","description":"A command or a list of commands; each runs with `sh -e -c` in `/workspace`.","type":["string","array"],"minLength":1,"minItems":1,"items":{"type":"string","minLength":1}},"scalar":{"type":["string","number","boolean"]},"parameters":{"title":"Parameters","description":"Parameter names and their values, referenced in templates as `{{ .name }}`.","type":"object","propertyNames":{"$ref":"#/definitions/identifier"},"additionalProperties":{"$ref":"#/definitions/scalar"}},"environment":{"title":"Environment","description":"Environment variables; values are templates. Numbers and booleans are kept as written.","type":"object","propertyNames":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$"},"additionalProperties":{"$ref":"#/definitions/scalar"}},"duration":{"title":"Duration","type":"string","pattern":"^(?:[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s)$","examples":["90s","10m","1h30m"]},"resources":{"title":"Resources","description":"Limits for every container this applies to.","type":"object","additionalProperties":false,"properties":{"cpus":{"description":"CPUs, fractions allowed (`0.5`).","type":"number","exclusiveMinimum":0},"memory":{"description":"Memory limit: `512m`, `512mb`, `1g`, `1gb`, `256k` (powers of 1024, the units of PISTAGES_LOG_CAP) or a number of bytes. At least 6m.","type":["string","integer"],"pattern":"^[0-9]+(?:\\.[0-9]+)? ?(?:[bB]|[kKmMgG][bB]?)?$"},"pids":{"description":"Maximum number of processes.","type":"integer","minimum":1}}},"step":{"title":"Step","description":"Exactly one of `dep` (run a registered action) or `run` (run commands).","type":"object","oneOf":[{"required":["dep"]},{"required":["run"]}],"additionalProperties":false,"properties":{"id":{"$ref":"#/definitions/identifier","description":"Unique in the group; later steps read outputs as `{{ .steps.<id>.outputs.<key> }}`."},"name":{"description":"Display name of the step.","type":"string"},"dep":{"description":"Name of a registered action to run.","type":"string","pattern":"\\S"},"run":{"$ref":"#/definitions/commands"},"image":{"$ref":"#/definitions/image","description":"Start a new container from this image for this step (otherwise the previous container is reused)."},"with":{"$ref":"#/definitions/parameters"},"env":{"$ref":"#/definitions/environment"},"timeout":{"$ref":"#/definitions/duration"},"resources":{"$ref":"#/definitions/resources"}}},"group":{"title":"Group","description":"Steps run in order; a failed step skips the rest of its group.","type":"array","minItems":1,"items":{"$ref":"#/definitions/step"}}}};
const schema12 = {"title":"Image","type":"string","pattern":"^\\S+$","examples":["alpine/git","node:20-alpine"]};
const schema13 = {"title":"Commands","description":"A command or a list of commands; each runs with `sh -e -c` in `/workspace`.","type":["string","array"],"minLength":1,"minItems":1,"items":{"type":"string","minLength":1}};
const schema15 = {"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_-]*$"};
const schema25 = {"title":"Duration","type":"string","pattern":"^(?:[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s)$","examples":["90s","10m","1h30m"]};
const schema26 = {"title":"Resources","description":"Limits for every container this applies to.","type":"object","additionalProperties":false,"properties":{"cpus":{"description":"CPUs, fractions allowed (`0.5`).","type":"number","exclusiveMinimum":0},"memory":{"description":"Memory limit: `512m`, `512mb`, `1g`, `1gb`, `256k` (powers of 1024, the units of PISTAGES_LOG_CAP) or a number of bytes. At least 6m.","type":["string","integer"],"pattern":"^[0-9]+(?:\\.[0-9]+)? ?(?:[bB]|[kKmMgG][bB]?)?$"},"pids":{"description":"Maximum number of processes.","type":"integer","minimum":1}}};
const func2 = Object.prototype.hasOwnProperty;
const func3 = (function ucs2length(str) {
    const len = str.length;
    let length = 0;
    let pos = 0;
    let value;
    while (pos < len) {
        length++;
        value = str.charCodeAt(pos++);
        if (value >= 0xd800 && value <= 0xdbff && pos < len) {
            // high surrogate, and there is a next character
            value = str.charCodeAt(pos);
            if ((value & 0xfc00) === 0xdc00)
                pos++; // low surrogate
        }
    }
    return length;
});
const pattern0 = new RegExp("\\S", "u");
const pattern1 = new RegExp("^\\S+$", "u");
const pattern2 = new RegExp("^[A-Za-z_][A-Za-z0-9_-]*$", "u");
const pattern8 = new RegExp("^(?:[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s)$", "u");
const pattern9 = new RegExp("^[0-9]+(?:\\.[0-9]+)? ?(?:[bB]|[kKmMgG][bB]?)?$", "u");
const pattern3 = new RegExp("^[A-Za-z_][A-Za-z0-9_]*$", "u");
const schema14 = {"title":"Parameters","description":"Parameter names and their values, referenced in templates as `{{ .name }}`.","type":"object","propertyNames":{"$ref":"#/definitions/identifier"},"additionalProperties":{"$ref":"#/definitions/scalar"}};
const schema16 = {"type":["string","number","boolean"]};

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
const _errs1 = errors;
if(typeof key0 === "string"){
if(!pattern2.test(key0)){
const err0 = {instancePath,schemaPath:"#/definitions/identifier/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_-]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_-]*$"+"\"",propertyName:key0};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
else {
const err1 = {instancePath,schemaPath:"#/definitions/identifier/type",keyword:"type",params:{type: "string"},message:"must be string",propertyName:key0};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
var valid0 = _errs1 === errors;
if(!valid0){
const err2 = {instancePath,schemaPath:"#/propertyNames",keyword:"propertyNames",params:{propertyName: key0},message:"property name must be valid"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
for(const key1 in data){
let data0 = data[key1];
if(((typeof data0 !== "string") && (!((typeof data0 == "number") && (isFinite(data0))))) && (typeof data0 !== "boolean")){
const err3 = {instancePath:instancePath+"/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/scalar/type",keyword:"type",params:{type: schema16.type},message:"must be string,number,boolean"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
}
else {
const err4 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
validate11.errors = vErrors;
return errors === 0;
}

const schema17 = {"title":"Environment","description":"Environment variables; values are templates. Numbers and booleans are kept as written.","type":"object","propertyNames":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$"},"additionalProperties":{"$ref":"#/definitions/scalar"}};

function validate13(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
const _errs1 = errors;
if(typeof key0 === "string"){
if(!pattern3.test(key0)){
const err0 = {instancePath,schemaPath:"#/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",propertyName:key0};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
else {
const err1 = {instancePath,schemaPath:"#/propertyNames/type",keyword:"type",params:{type: "string"},message:"must be string",propertyName:key0};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
var valid0 = _errs1 === errors;
if(!valid0){
const err2 = {instancePath,schemaPath:"#/propertyNames",keyword:"propertyNames",params:{propertyName: key0},message:"property name must be valid"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
for(const key1 in data){
let data0 = data[key1];
if(((typeof data0 !== "string") && (!((typeof data0 == "number") && (isFinite(data0))))) && (typeof data0 !== "boolean")){
const err3 = {instancePath:instancePath+"/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/scalar/type",keyword:"type",params:{type: schema16.type},message:"must be string,number,boolean"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
}
else {
const err4 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
validate13.errors = vErrors;
return errors === 0;
}

const schema20 = {"title":"Group","description":"Steps run in order; a failed step skips the rest of its group.","type":"array","minItems":1,"items":{"$ref":"#/definitions/step"}};
const schema21 = {"title":"Step","description":"Exactly one of `dep` (run a registered action) or `run` (run commands).","type":"object","oneOf":[{"required":["dep"]},{"required":["run"]}],"additionalProperties":false,"properties":{"id":{"$ref":"#/definitions/identifier","description":"Unique in the group; later steps read outputs as `{{ .steps.<id>.outputs.<key> }}`."},"name":{"description":"Display name of the step.","type":"string"},"dep":{"description":"Name of a registered action to run.","type":"string","pattern":"\\S"},"run":{"$ref":"#/definitions/commands"},"image":{"$ref":"#/definitions/image","description":"Start a new container from this image for this step (otherwise the previous container is reused)."},"with":{"$ref":"#/definitions/parameters"},"env":{"$ref":"#/definitions/environment"},"timeout":{"$ref":"#/definitions/duration"},"resources":{"$ref":"#/definitions/resources"}}};

function validate16(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
const _errs1 = errors;
let valid0 = false;
let passing0 = null;
const _errs2 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.dep === undefined){
const err0 = {instancePath,schemaPath:"#/oneOf/0/required",keyword:"required",params:{missingProperty: "dep"},message:"must have required property '"+"dep"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
var _valid0 = _errs2 === errors;
if(_valid0){
valid0 = true;
passing0 = 0;
}
const _errs3 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.run === undefined){
const err1 = {instancePath,schemaPath:"#/oneOf/1/required",keyword:"required",params:{missingProperty: "run"},message:"must have required property '"+"run"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
var _valid0 = _errs3 === errors;
if(_valid0 && valid0){
valid0 = false;
passing0 = [passing0, 1];
}
else {
if(_valid0){
valid0 = true;
passing0 = 1;
}
}
if(!valid0){
const err2 = {instancePath,schemaPath:"#/oneOf",keyword:"oneOf",params:{passingSchemas: passing0},message:"must match exactly one schema in oneOf"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
else {
errors = _errs1;
if(vErrors !== null){
if(_errs1){
vErrors.length = _errs1;
}
else {
vErrors = null;
}
}
}
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!(func2.call(schema21.properties, key0))){
const err3 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.id !== undefined){
let data0 = data.id;
if(typeof data0 === "string"){
if(!pattern2.test(data0)){
const err4 = {instancePath:instancePath+"/id",schemaPath:"#/definitions/identifier/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_-]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_-]*$"+"\""};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/id",schemaPath:"#/definitions/identifier/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.name !== undefined){
if(typeof data.name !== "string"){
const err6 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.dep !== undefined){
let data2 = data.dep;
if(typeof data2 === "string"){
if(!pattern0.test(data2)){
const err7 = {instancePath:instancePath+"/dep",schemaPath:"#/properties/dep/pattern",keyword:"pattern",params:{pattern: "\\S"},message:"must match pattern \""+"\\S"+"\""};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
else {
const err8 = {instancePath:instancePath+"/dep",schemaPath:"#/properties/dep/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.run !== undefined){
let data3 = data.run;
if((typeof data3 !== "string") && (!(Array.isArray(data3)))){
const err9 = {instancePath:instancePath+"/run",schemaPath:"#/definitions/commands/type",keyword:"type",params:{type: schema13.type},message:"must be string,array"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if(typeof data3 === "string"){
if(func3(data3) < 1){
const err10 = {instancePath:instancePath+"/run",schemaPath:"#/definitions/commands/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(Array.isArray(data3)){
if(data3.length < 1){
const err11 = {instancePath:instancePath+"/run",schemaPath:"#/definitions/commands/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
const len0 = data3.length;
for(let i0=0; i0<len0; i0++){
let data4 = data3[i0];
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err12 = {instancePath:instancePath+"/run/" + i0,schemaPath:"#/definitions/commands/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
else {
const err13 = {instancePath:instancePath+"/run/" + i0,schemaPath:"#/definitions/commands/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
}
}
if(data.image !== undefined){
let data5 = data.image;
if(typeof data5 === "string"){
if(!pattern1.test(data5)){
const err14 = {instancePath:instancePath+"/image",schemaPath:"#/definitions/image/pattern",keyword:"pattern",params:{pattern: "^\\S+$"},message:"must match pattern \""+"^\\S+$"+"\""};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
else {
const err15 = {instancePath:instancePath+"/image",schemaPath:"#/definitions/image/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
if(data.with !== undefined){
if(!(validate11(data.with, {instancePath:instancePath+"/with",parentData:data,parentDataProperty:"with",rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
if(data.env !== undefined){
if(!(validate13(data.env, {instancePath:instancePath+"/env",parentData:data,parentDataProperty:"env",rootData}))){
vErrors = vErrors === null ? validate13.errors : vErrors.concat(validate13.errors);
errors = vErrors.length;
}
}
if(data.timeout !== undefined){
let data8 = data.timeout;
if(typeof data8 === "string"){
if(!pattern8.test(data8)){
const err16 = {instancePath:instancePath+"/timeout",schemaPath:"#/definitions/duration/pattern",keyword:"pattern",params:{pattern: "^(?:[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s)$"},message:"must match pattern \""+"^(?:[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s)$"+"\""};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
else {
const err17 = {instancePath:instancePath+"/timeout",schemaPath:"#/definitions/duration/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data.resources !== undefined){
let data9 = data.resources;
if(data9 && typeof data9 == "object" && !Array.isArray(data9)){
for(const key1 in data9){
if(!(((key1 === "cpus") || (key1 === "memory")) || (key1 === "pids"))){
const err18 = {instancePath:instancePath+"/resources",schemaPath:"#/definitions/resources/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data9.cpus !== undefined){
let data10 = data9.cpus;
if((typeof data10 == "number") && (isFinite(data10))){
if(data10 <= 0 || isNaN(data10)){
const err19 = {instancePath:instancePath+"/resources/cpus",schemaPath:"#/definitions/resources/properties/cpus/exclusiveMinimum",keyword:"exclusiveMinimum",params:{comparison: ">", limit: 0},message:"must be > 0"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
else {
const err20 = {instancePath:instancePath+"/resources/cpus",schemaPath:"#/definitions/resources/properties/cpus/type",keyword:"type",params:{type: "number"},message:"must be number"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(data9.memory !== undefined){
let data11 = data9.memory;
if((typeof data11 !== "string") && (!(((typeof data11 == "number") && (!(data11 % 1) && !isNaN(data11))) && (isFinite(data11))))){
const err21 = {instancePath:instancePath+"/resources/memory",schemaPath:"#/definitions/resources/properties/memory/type",keyword:"type",params:{type: schema26.properties.memory.type},message:"must be string,integer"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
if(typeof data11 === "string"){
if(!pattern9.test(data11)){
const err22 = {instancePath:instancePath+"/resources/memory",schemaPath:"#/definitions/resources/properties/memory/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(?:\\.[0-9]+)? ?(?:[bB]|[kKmMgG][bB]?)?$"},message:"must match pattern \""+"^[0-9]+(?:\\.[0-9]+)? ?(?:[bB]|[kKmMgG][bB]?)?$"+"\""};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
}
if(data9.pids !== undefined){
let data12 = data9.pids;
if(!(((typeof data12 == "number") && (!(data12 % 1) && !isNaN(data12))) && (isFinite(data12)))){
const err23 = {instancePath:instancePath+"/resources/pids",schemaPath:"#/definitions/resources/properties/pids/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
if((typeof data12 == "number") && (isFinite(data12))){
if(data12 < 1 || isNaN(data12)){
const err24 = {instancePath:instancePath+"/resources/pids",schemaPath:"#/definitions/resources/properties/pids/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
}
}
else {
const err25 = {instancePath:instancePath+"/resources",schemaPath:"#/definitions/resources/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
}
else {
const err26 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
validate16.errors = vErrors;
return errors === 0;
}


function validate15(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(Array.isArray(data)){
if(data.length < 1){
const err0 = {instancePath,schemaPath:"#/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
const len0 = data.length;
for(let i0=0; i0<len0; i0++){
if(!(validate16(data[i0], {instancePath:instancePath+"/" + i0,parentData:data,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate16.errors : vErrors.concat(validate16.errors);
errors = vErrors.length;
}
}
}
else {
const err1 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
validate15.errors = vErrors;
return errors === 0;
}


function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
const _errs2 = errors;
let valid0 = false;
let passing0 = null;
const _errs3 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.run === undefined){
const err0 = {instancePath,schemaPath:"#/oneOf/0/required",keyword:"required",params:{missingProperty: "run"},message:"must have required property '"+"run"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
var _valid0 = _errs3 === errors;
if(_valid0){
valid0 = true;
passing0 = 0;
}
const _errs4 = errors;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.uses === undefined){
const err1 = {instancePath,schemaPath:"#/oneOf/1/required",keyword:"required",params:{missingProperty: "uses"},message:"must have required property '"+"uses"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
var _valid0 = _errs4 === errors;
if(_valid0 && valid0){
valid0 = false;
passing0 = [passing0, 1];
}
else {
if(_valid0){
valid0 = true;
passing0 = 1;
}
}
if(!valid0){
const err2 = {instancePath,schemaPath:"#/oneOf",keyword:"oneOf",params:{passingSchemas: passing0},message:"must match exactly one schema in oneOf"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
else {
errors = _errs2;
if(vErrors !== null){
if(_errs2){
vErrors.length = _errs2;
}
else {
vErrors = null;
}
}
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.name === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema11.properties, key0))){
const err4 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.name !== undefined){
let data0 = data.name;
if(typeof data0 === "string"){
if(!pattern0.test(data0)){
const err5 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/pattern",keyword:"pattern",params:{pattern: "\\S"},message:"must match pattern \""+"\\S"+"\""};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
else {
const err6 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.description !== undefined){
if(typeof data.description !== "string"){
const err7 = {instancePath:instancePath+"/description",schemaPath:"#/properties/description/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(data.image !== undefined){
let data2 = data.image;
if(typeof data2 === "string"){
if(!pattern1.test(data2)){
const err8 = {instancePath:instancePath+"/image",schemaPath:"#/definitions/image/pattern",keyword:"pattern",params:{pattern: "^\\S+$"},message:"must match pattern \""+"^\\S+$"+"\""};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
else {
const err9 = {instancePath:instancePath+"/image",schemaPath:"#/definitions/image/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.run !== undefined){
let data3 = data.run;
if((typeof data3 !== "string") && (!(Array.isArray(data3)))){
const err10 = {instancePath:instancePath+"/run",schemaPath:"#/definitions/commands/type",keyword:"type",params:{type: schema13.type},message:"must be string,array"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if(typeof data3 === "string"){
if(func3(data3) < 1){
const err11 = {instancePath:instancePath+"/run",schemaPath:"#/definitions/commands/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(Array.isArray(data3)){
if(data3.length < 1){
const err12 = {instancePath:instancePath+"/run",schemaPath:"#/definitions/commands/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
const len0 = data3.length;
for(let i0=0; i0<len0; i0++){
let data4 = data3[i0];
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err13 = {instancePath:instancePath+"/run/" + i0,schemaPath:"#/definitions/commands/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
else {
const err14 = {instancePath:instancePath+"/run/" + i0,schemaPath:"#/definitions/commands/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
}
}
if(data.with !== undefined){
if(!(validate11(data.with, {instancePath:instancePath+"/with",parentData:data,parentDataProperty:"with",rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
if(data.env !== undefined){
if(!(validate13(data.env, {instancePath:instancePath+"/env",parentData:data,parentDataProperty:"env",rootData}))){
vErrors = vErrors === null ? validate13.errors : vErrors.concat(validate13.errors);
errors = vErrors.length;
}
}
if(data.uses !== undefined){
let data7 = data.uses;
if(data7 && typeof data7 == "object" && !Array.isArray(data7)){
if(Object.keys(data7).length < 1){
const err15 = {instancePath:instancePath+"/uses",schemaPath:"#/properties/uses/minProperties",keyword:"minProperties",params:{limit: 1},message:"must NOT have fewer than 1 properties"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
for(const key1 in data7){
const _errs22 = errors;
if(typeof key1 === "string"){
if(!pattern2.test(key1)){
const err16 = {instancePath:instancePath+"/uses",schemaPath:"#/definitions/identifier/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_-]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_-]*$"+"\"",propertyName:key1};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
else {
const err17 = {instancePath:instancePath+"/uses",schemaPath:"#/definitions/identifier/type",keyword:"type",params:{type: "string"},message:"must be string",propertyName:key1};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
var valid6 = _errs22 === errors;
if(!valid6){
const err18 = {instancePath:instancePath+"/uses",schemaPath:"#/properties/uses/propertyNames",keyword:"propertyNames",params:{propertyName: key1},message:"property name must be valid"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
for(const key2 in data7){
if(!(validate15(data7[key2], {instancePath:instancePath+"/uses/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),parentData:data7,parentDataProperty:key2,rootData}))){
vErrors = vErrors === null ? validate15.errors : vErrors.concat(validate15.errors);
errors = vErrors.length;
}
}
}
else {
const err19 = {instancePath:instancePath+"/uses",schemaPath:"#/properties/uses/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(data.timeout !== undefined){
let data9 = data.timeout;
if(typeof data9 === "string"){
if(!pattern8.test(data9)){
const err20 = {instancePath:instancePath+"/timeout",schemaPath:"#/definitions/duration/pattern",keyword:"pattern",params:{pattern: "^(?:[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s)$"},message:"must match pattern \""+"^(?:[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s)$"+"\""};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
else {
const err21 = {instancePath:instancePath+"/timeout",schemaPath:"#/definitions/duration/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(data.retry !== undefined){
let data10 = data.retry;
if(!(((typeof data10 == "number") && (!(data10 % 1) && !isNaN(data10))) && (isFinite(data10)))){
const err22 = {instancePath:instancePath+"/retry",schemaPath:"#/properties/retry/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
if((typeof data10 == "number") && (isFinite(data10))){
if(data10 < 0 || isNaN(data10)){
const err23 = {instancePath:instancePath+"/retry",schemaPath:"#/properties/retry/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
}
if(data.resources !== undefined){
let data11 = data.resources;
if(data11 && typeof data11 == "object" && !Array.isArray(data11)){
for(const key3 in data11){
if(!(((key3 === "cpus") || (key3 === "memory")) || (key3 === "pids"))){
const err24 = {instancePath:instancePath+"/resources",schemaPath:"#/definitions/resources/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
if(data11.cpus !== undefined){
let data12 = data11.cpus;
if((typeof data12 == "number") && (isFinite(data12))){
if(data12 <= 0 || isNaN(data12)){
const err25 = {instancePath:instancePath+"/resources/cpus",schemaPath:"#/definitions/resources/properties/cpus/exclusiveMinimum",keyword:"exclusiveMinimum",params:{comparison: ">", limit: 0},message:"must be > 0"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
else {
const err26 = {instancePath:instancePath+"/resources/cpus",schemaPath:"#/definitions/resources/properties/cpus/type",keyword:"type",params:{type: "number"},message:"must be number"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data11.memory !== undefined){
let data13 = data11.memory;
if((typeof data13 !== "string") && (!(((typeof data13 == "number") && (!(data13 % 1) && !isNaN(data13))) && (isFinite(data13))))){
const err27 = {instancePath:instancePath+"/resources/memory",schemaPath:"#/definitions/resources/properties/memory/type",keyword:"type",params:{type: schema26.properties.memory.type},message:"must be string,integer"};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
if(typeof data13 === "string"){
if(!pattern9.test(data13)){
const err28 = {instancePath:instancePath+"/resources/memory",schemaPath:"#/definitions/resources/properties/memory/pattern",keyword:"pattern",params:{pattern: "^[0-9]+(?:\\.[0-9]+)? ?(?:[bB]|[kKmMgG][bB]?)?$"},message:"must match pattern \""+"^[0-9]+(?:\\.[0-9]+)? ?(?:[bB]|[kKmMgG][bB]?)?$"+"\""};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
}
if(data11.pids !== undefined){
let data14 = data11.pids;
if(!(((typeof data14 == "number") && (!(data14 % 1) && !isNaN(data14))) && (isFinite(data14)))){
const err29 = {instancePath:instancePath+"/resources/pids",schemaPath:"#/definitions/resources/properties/pids/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
if((typeof data14 == "number") && (isFinite(data14))){
if(data14 < 1 || isNaN(data14)){
const err30 = {instancePath:instancePath+"/resources/pids",schemaPath:"#/definitions/resources/properties/pids/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
}
}
else {
const err31 = {instancePath:instancePath+"/resources",schemaPath:"#/definitions/resources/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
if(data.secrets !== undefined){
let data15 = data.secrets;
if(Array.isArray(data15)){
const len1 = data15.length;
for(let i1=0; i1<len1; i1++){
let data16 = data15[i1];
if(typeof data16 === "string"){
if(!pattern3.test(data16)){
const err32 = {instancePath:instancePath+"/secrets/" + i1,schemaPath:"#/properties/secrets/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\""};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
else {
const err33 = {instancePath:instancePath+"/secrets/" + i1,schemaPath:"#/properties/secrets/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
let i2 = data15.length;
let j0;
if(i2 > 1){
const indices0 = {};
for(;i2--;){
let item0 = data15[i2];
if(typeof item0 !== "string"){
continue;
}
if(typeof indices0[item0] == "number"){
j0 = indices0[item0];
const err34 = {instancePath:instancePath+"/secrets",schemaPath:"#/properties/secrets/uniqueItems",keyword:"uniqueItems",params:{i: i2, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i2+" are identical)"};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
break;
}
indices0[item0] = i2;
}
}
}
else {
const err35 = {instancePath:instancePath+"/secrets",schemaPath:"#/properties/secrets/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
if(data.on !== undefined){
let data17 = data.on;
if(data17 && typeof data17 == "object" && !Array.isArray(data17)){
if(Object.keys(data17).length < 1){
const err36 = {instancePath:instancePath+"/on",schemaPath:"#/properties/on/minProperties",keyword:"minProperties",params:{limit: 1},message:"must NOT have fewer than 1 properties"};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
for(const key4 in data17){
if(!((key4 === "push") || (key4 === "pull_request"))){
const err37 = {instancePath:instancePath+"/on",schemaPath:"#/properties/on/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
if(data17.push !== undefined){
let data18 = data17.push;
if((!(data18 && typeof data18 == "object" && !Array.isArray(data18))) && (data18 !== null)){
const err38 = {instancePath:instancePath+"/on/push",schemaPath:"#/properties/on/properties/push/type",keyword:"type",params:{type: schema11.properties.on.properties.push.type},message:"must be object,null"};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
if(data18 && typeof data18 == "object" && !Array.isArray(data18)){
for(const key5 in data18){
if(!(((key5 === "branches") || (key5 === "tags")) || (key5 === "paths"))){
const err39 = {instancePath:instancePath+"/on/push",schemaPath:"#/properties/on/properties/push/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key5},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
if(data18.branches !== undefined){
let data19 = data18.branches;
if(Array.isArray(data19)){
const len2 = data19.length;
for(let i3=0; i3<len2; i3++){
let data20 = data19[i3];
if(typeof data20 === "string"){
if(func3(data20) < 1){
const err40 = {instancePath:instancePath+"/on/push/branches/" + i3,schemaPath:"#/properties/on/properties/push/properties/branches/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
else {
const err41 = {instancePath:instancePath+"/on/push/branches/" + i3,schemaPath:"#/properties/on/properties/push/properties/branches/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
}
else {
const err42 = {instancePath:instancePath+"/on/push/branches",schemaPath:"#/properties/on/properties/push/properties/branches/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
if(data18.tags !== undefined){
let data21 = data18.tags;
if(Array.isArray(data21)){
const len3 = data21.length;
for(let i4=0; i4<len3; i4++){
let data22 = data21[i4];
if(typeof data22 === "string"){
if(func3(data22) < 1){
const err43 = {instancePath:instancePath+"/on/push/tags/" + i4,schemaPath:"#/properties/on/properties/push/properties/tags/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
else {
const err44 = {instancePath:instancePath+"/on/push/tags/" + i4,schemaPath:"#/properties/on/properties/push/properties/tags/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
}
else {
const err45 = {instancePath:instancePath+"/on/push/tags",schemaPath:"#/properties/on/properties/push/properties/tags/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
if(data18.paths !== undefined){
let data23 = data18.paths;
if(Array.isArray(data23)){
const len4 = data23.length;
for(let i5=0; i5<len4; i5++){
let data24 = data23[i5];
if(typeof data24 === "string"){
if(func3(data24) < 1){
const err46 = {instancePath:instancePath+"/on/push/paths/" + i5,schemaPath:"#/properties/on/properties/push/properties/paths/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
else {
const err47 = {instancePath:instancePath+"/on/push/paths/" + i5,schemaPath:"#/properties/on/properties/push/properties/paths/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
}
}
else {
const err48 = {instancePath:instancePath+"/on/push/paths",schemaPath:"#/properties/on/properties/push/properties/paths/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
}
}
if(data17.pull_request !== undefined){
let data25 = data17.pull_request;
if((!(data25 && typeof data25 == "object" && !Array.isArray(data25))) && (data25 !== null)){
const err49 = {instancePath:instancePath+"/on/pull_request",schemaPath:"#/properties/on/properties/pull_request/type",keyword:"type",params:{type: schema11.properties.on.properties.pull_request.type},message:"must be object,null"};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
if(data25 && typeof data25 == "object" && !Array.isArray(data25)){
for(const key6 in data25){
if(!((key6 === "branches") || (key6 === "paths"))){
const err50 = {instancePath:instancePath+"/on/pull_request",schemaPath:"#/properties/on/properties/pull_request/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key6},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
}
if(data25.branches !== undefined){
let data26 = data25.branches;
if(Array.isArray(data26)){
const len5 = data26.length;
for(let i6=0; i6<len5; i6++){
let data27 = data26[i6];
if(typeof data27 === "string"){
if(func3(data27) < 1){
const err51 = {instancePath:instancePath+"/on/pull_request/branches/" + i6,schemaPath:"#/properties/on/properties/pull_request/properties/branches/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
else {
const err52 = {instancePath:instancePath+"/on/pull_request/branches/" + i6,schemaPath:"#/properties/on/properties/pull_request/properties/branches/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
}
}
else {
const err53 = {instancePath:instancePath+"/on/pull_request/branches",schemaPath:"#/properties/on/properties/pull_request/properties/branches/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
if(data25.paths !== undefined){
let data28 = data25.paths;
if(Array.isArray(data28)){
const len6 = data28.length;
for(let i7=0; i7<len6; i7++){
let data29 = data28[i7];
if(typeof data29 === "string"){
if(func3(data29) < 1){
const err54 = {instancePath:instancePath+"/on/pull_request/paths/" + i7,schemaPath:"#/properties/on/properties/pull_request/properties/paths/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
else {
const err55 = {instancePath:instancePath+"/on/pull_request/paths/" + i7,schemaPath:"#/properties/on/properties/pull_request/properties/paths/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
}
}
else {
const err56 = {instancePath:instancePath+"/on/pull_request/paths",schemaPath:"#/properties/on/properties/pull_request/properties/paths/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
}
}
}
else {
const err57 = {instancePath:instancePath+"/on",schemaPath:"#/properties/on/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
}
}
else {
const err58 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}


// Calls the emulator through Huawei's Node.js SDK core: project id discovery
// over IAM (a GET that carries the body {} and signs its hash), then
// ListInstancesStatus, both signed with AK/SK. Prints one JSON line.
// The core requires "uuid" without declaring it: package.json adds it.
const core = require('@huaweicloud/huaweicloud-sdk-core');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');

async function main() {
  const [endpoint, ak, sk, regionId] = process.argv.slice(2);
  const cred = new core.BasicCredentials().withAk(ak).withSk(sk).withIamEndpoint(endpoint);
  const client = new ClientBuilder((c) => c)
    .withRegion(new core.Region(regionId, endpoint))
    .withCredential(cred)
    .build();
  // The shape of a generated Node.js service client's GET.
  const res = await client.sendRequest({
    method: 'GET', url: '/v2/{project_id}/connections/status', contentType: 'application/json',
    queryParams: {}, pathParams: {}, headers: {}, data: {},
  });
  console.log(JSON.stringify({ project_id: cred.projectId, status: res.httpStatusCode, statics: res.statics }));
}

main().catch((e) => {
  console.log(JSON.stringify({ error: { status: e.httpStatusCode, code: e.errorCode, msg: e.errorMsg, text: String(e) } }));
  process.exit(1);
});

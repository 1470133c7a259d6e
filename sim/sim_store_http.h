#pragma once
// SimStoreHttp: the central store as a customer's downloader reaches it - nginx serving the
// store's directory over HTTP - for the simulated world. GET /<name> answers 200 with the
// object, 404 when there is none, and 503 when the store fails (as nginx does when its disk or
// WebDAV backend errs). Authentication is nginx's and is tested against real nginx
// (prod/delivery/, ci/delivery_test), so any credentials are let in here.
//
// Its latency and failures are the store's, as the customer's node sees it
// (sim/sim_object_store.h): a storage fault reaches the downloader too.

#include "prod/io/http_client.h"
#include "prod/io/object_store.h"

namespace lj::sim {

class SimStoreHttp final : public HttpClient {
 public:
  // REQUIRES: `store` outlives this client.
  explicit SimStoreHttp(ObjectStore& store) : store_(store) {}
  Task<Result<HttpResponse>> get(const std::string& path,
                                 const BasicCredentials& credentials) override;

 private:
  ObjectStore& store_;
};

}  // namespace lj::sim

#include "sim/sim_store_http.h"

namespace lj::sim {

Task<Result<HttpResponse>> SimStoreHttp::get(const std::string& path, const BasicCredentials&) {
  if (path.empty() || path.front() != '/' || path.find("..") != std::string::npos) {
    co_return HttpResponse{400, "bad path"};
  }
  const std::string name = path.substr(1);
  Result<std::string> object = co_await store_.get(name);
  if (object.ok()) co_return HttpResponse{200, std::move(*object)};
  if (object.code() == ErrorCode::kNotFound) co_return HttpResponse{404, "not found"};
  co_return HttpResponse{503, object.error().to_string()};
}

}  // namespace lj::sim

#pragma once
// What a libcurl transfer that failed before any answer means, as the seam's error codes: shared
// by the push destinations that speak HTTPS through libcurl (s3_client.h,
// https_post_destinations.h). `where` names the request; `whose` the server whose certificate a
// failed verification was ("the store", "the collector").

#include <curl/curl.h>

#include <string>

#include "prod/io/result.h"

namespace lj::push {

Error curl_transport_error(CURLcode code, const std::string& where, const std::string& whose);

}  // namespace lj::push

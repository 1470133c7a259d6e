#pragma once
// One page of an S3 ListObjectsV2 answer (GET /bucket?list-type=2), read from hostile XML: the
// keys of its <Contents>, and where the next page starts. Only what a listing needs is read;
// the five XML entities and numeric character references (&#233; &#xE9;) are decoded, as S3
// escapes keys that way. A page with no <ListBucketResult> is refused (kUnavailable: the store
// answered something else), as is a truncated page with no token to go on from.

#include <string>
#include <string_view>
#include <vector>

#include "prod/io/result.h"

namespace lj::push {

struct S3ListingPage {
  std::vector<std::string> keys;
  std::string next_token;  // "" when this was the last page
};

Result<S3ListingPage> parse_s3_listing(std::string_view xml);

// XML character data with its references decoded; kUnavailable for a malformed or unknown one.
Result<std::string> decode_xml_text(std::string_view text);

}  // namespace lj::push

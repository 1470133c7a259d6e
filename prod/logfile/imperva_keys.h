#pragma once
// Reading the key=value fields CEF and LEEF lines share: Imperva's CEF key names, which our
// LEEF keeps for everything IBM's predefined keys do not cover (cef_writer.h, leef_writer.h).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"
#include "prod/logfile/text_fields.h"

namespace lj {

// One line's pairs, unescaped, in line order (keys are unique: the parsers refuse repeats).
class KeyValues {
 public:
  explicit KeyValues(const std::vector<std::pair<std::string, std::string>>& pairs)
      : pairs_(pairs) {}

  const std::string* find(std::string_view key) const;
  // An optional string: absent leaves `field` as it is (empty).
  void text(std::string_view key, std::string& field) const {
    if (const std::string* value = find(key)) field = *value;
  }
  // A required number.
  template <typename Int>
  Status number(std::string_view key, Int& field) const {
    const std::string* value = find(key);
    if (value == nullptr)
      return Error(ErrorCode::kCorrupt, "missing key '" + std::string(key) + "'");
    if (!parse_decimal(*value, field)) {
      return Error(ErrorCode::kCorrupt, "key '" + std::string(key) + "': '" + value->substr(0, 32) +
                                            "' is not a number in range");
    }
    return Status::ok_status();
  }

 private:
  const std::vector<std::pair<std::string, std::string>>& pairs_;
};

// "<stream>-<sequence>", as deviceExternalId and JSON's "id" write an event id.
Result<EventId> parse_event_id_text(std::string_view text);

// The keys both formats write the same way: deviceExternalId, suid, siteid, start, end, cn1,
// Customer, sourceServiceName, deviceFacility, src, requestClientApplication, ccode, cicode, app,
// requestMethod, qstr, ref, act and additionalReqHeaders.
Status read_shared_imperva_keys(const KeyValues& keys, AttackEvent& event);

}  // namespace lj

#pragma once
// contents_digest: the checker's fingerprint of an attack event's contents, every field of it.
// It is computed field by field here, not from any encoding the pipeline uses (the wire record,
// CEF, W3C): the audit that compares a published event with the one its proxy sent must not
// share the code it judges, or an encoder that drops or alters a field would agree with itself.

#include <cstdint>

#include "prod/event/attack_event.h"

namespace lj::proxy {

uint64_t contents_digest(const AttackEvent& event);

}  // namespace lj::proxy

#pragma once
// The fuzzed entry points, shared by the libFuzzer targets (built with clang) and by
// fuzz_corpus_test (built with any compiler, run in CI), which replays every corpus file.
// Each returns normally on any input; a broken invariant aborts with a message.

#include <cstddef>
#include <cstdint>

namespace lj {

// decode_event_record on arbitrary bytes; decoded records must re-encode to the same bytes.
void fuzz_event_record(const uint8_t* data, size_t size);
// read_log_file on arbitrary bytes, with the corpus's private key and with none.
void fuzz_log_file(const uint8_t* data, size_t size);
// parse_log_body on arbitrary text (first byte picks CEF or W3C); parsed events must
// format and parse back to themselves.
void fuzz_log_body(const uint8_t* data, size_t size);
// Graceland's wire format on arbitrary bytes: a stream of frames, each header checked, each
// verified body parsed as the server would; a parsed batch must re-encode to the same body.
void fuzz_graceland_frames(const uint8_t* data, size_t size);

}  // namespace lj

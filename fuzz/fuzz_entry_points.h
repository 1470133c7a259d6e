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
// parse_log_body on arbitrary text (first byte picks CEF, W3C, LEEF or JSON); parsed events must
// format and parse back to themselves.
void fuzz_log_body(const uint8_t* data, size_t size);
// Graceland's wire format on arbitrary bytes: a stream of frames, each header checked, each
// verified body parsed as the server would; a parsed batch must re-encode to the same body.
void fuzz_graceland_frames(const uint8_t* data, size_t size);

// Each of the following is checked, beyond not crashing, for what its comment says; any
// refusal must be an Error with a message. (One file per family: *_entry_points.cc.)

// An HTTP/1.1 response head (up to the first blank line) and the chunk-size lines after it:
// a parsed head is sound (status 100..599, never both chunked and a length) and parses the
// same when written out again; a chunk size parses to the hex number it spells.
void fuzz_http_response(const uint8_t* data, size_t size);
// JsonCursor walking any JSON value, and parse_headers_json: every string read re-escapes
// and reads back the same; parsed headers format and parse back to themselves.
void fuzz_json_cursor(const uint8_t* data, size_t size);
// nginx's JSON autoindex (parse_autoindex_json_files): listed names are sorted valid object
// names without '/', and the listing written back as JSON lists the same names.
void fuzz_webdav_listing(const uint8_t* data, size_t size);
// The ZooKeeper-stored records: what decodes re-encodes to text that decodes to the same
// value, and encoding is stable (encode(decode(encode(x))) == encode(x)).
void fuzz_customer_config(const uint8_t* data, size_t size);
void fuzz_checkpoint(const uint8_t* data, size_t size);
void fuzz_delivered_set(const uint8_t* data, size_t size);  // also its invariant, and contains()
// `lj fetch`'s state file: the same round trip; the folder it names parses.
void fuzz_fetch_state(const uint8_t* data, size_t size);
// logs.index (first byte picks the account): listed numbers strictly increase and are the
// names' own; first_missing names a number inside the list's range and not in it.
void fuzz_logs_index(const uint8_t* data, size_t size);
// A segment file as recovery scans it: the durable end lies within the file and on record
// boundaries, every record before it is valid and re-encodes to its very bytes, and damage is
// reported exactly where a valid record follows an invalid one.
void fuzz_segment_recovery(const uint8_t* data, size_t size);
// Graceland's message handling (request_checks.h) for a peer picked by the first bytes
// (no certificate, a proxy, a proxy range, lumberjack, operator, another role, or anyone when
// authentication is off), then a stream of frames, the first its hello: an accepted batch
// holds only decodable events with an account of the peer's own streams; only readers list
// or read; a refusal of the peer's rights is kPermissionDenied.
void fuzz_graceland_requests(const uint8_t* data, size_t size);
// The fuzzed bytes become the body of a valid encrypted log file (the test key; the first byte
// picks format, encoding and compression), so decompression and the CEF/W3C parsers run
// behind a valid GCM tag: the file reads iff the body decompresses and parses, into exactly
// those events, and is accepted as the file it names.
void fuzz_encrypted_body(const uint8_t* data, size_t size);

}  // namespace lj

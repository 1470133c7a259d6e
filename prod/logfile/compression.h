#pragma once
// Body compression for log files: zstd (modern files), zlib (RFC 1950, what Imperva's
// downloaders inflate) or none. Decompression is bounded: a body that would inflate beyond
// `max_out_bytes` is refused (kTooLarge) instead of exhausting memory.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "prod/io/result.h"

struct ZSTD_CCtx_s;

namespace lj {

enum class Compression { kNone, kZstd, kZlib };

// "none", "zstd", "zlib": the header's `compression:` values.
std::string_view compression_name(Compression compression);
Result<Compression> compression_named(std::string_view name);

inline constexpr int kZstdLevel = 3;

// Owns the zstd context and an output buffer, both reused across files: allocating a context
// costs more than a small file, and a buffer that only grows is never zero-filled again.
class Compressor {
 public:
  Compressor();
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // Returns `in` compressed (for kNone, `in` itself). The view is valid until the next call.
  Result<std::string_view> compress(Compression compression, std::string_view in);

 private:
  struct FreeCctx {
    void operator()(ZSTD_CCtx_s* cctx) const;
  };
  std::unique_ptr<ZSTD_CCtx_s, FreeCctx> zstd_;
  std::string buffer_;
};

// Replaces `out` with `in` decompressed. Errors (kCorrupt) name the codec and the problem:
// malformed data, a truncated stream, bytes after the end of the stream.
Status decompress(Compression compression, std::string_view in, size_t max_out_bytes,
                  std::string& out);

}  // namespace lj

#include "prod/logfile/compression.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "prod/io/invariant.h"

namespace lj {
namespace {

Error corrupt(std::string message) {
  return Error(ErrorCode::kCorrupt, std::move(message));
}
Error too_large(std::string_view codec, size_t limit) {
  return Error(ErrorCode::kTooLarge, std::string(codec) + ": decompressed body exceeds limit " +
                                         std::to_string(limit) + " bytes");
}

// Growth step for bounded decompression: start near the expected size, never past the limit.
void grow(std::string& out, size_t used, size_t max_out_bytes) {
  const size_t target = std::min(max_out_bytes + 1, std::max<size_t>(used * 2, 64 * 1024));
  out.resize(std::max(target, used + 1));
}

Status zstd_decompress(std::string_view in, size_t max_out_bytes, std::string& out) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx) return Error(ErrorCode::kInternal, "zstd: cannot create a context");
  out.clear();
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t used = 0;
  size_t hint = 1;
  while (true) {
    if (used == out.size()) {
      if (used > max_out_bytes) return too_large("zstd", max_out_bytes);
      grow(out, used, max_out_bytes);
    }
    ZSTD_outBuffer output{out.data(), out.size(), used};
    hint = ZSTD_decompressStream(dctx.get(), &output, &input);
    used = output.pos;
    if (ZSTD_isError(hint)) return corrupt(std::string("zstd: ") + ZSTD_getErrorName(hint));
    if (used > max_out_bytes) return too_large("zstd", max_out_bytes);
    if (hint == 0) break;  // end of frame
    if (input.pos == input.size && output.pos < output.size) {
      return corrupt("zstd: truncated frame");
    }
  }
  if (input.pos != input.size) {
    return corrupt("zstd: " + std::to_string(input.size - input.pos) +
                   " bytes after the end of the frame");
  }
  out.resize(used);
  return Status::ok_status();
}

Status zlib_decompress(std::string_view in, size_t max_out_bytes, std::string& out) {
  z_stream stream;
  std::memset(&stream, 0, sizeof stream);
  if (inflateInit(&stream) != Z_OK) return Error(ErrorCode::kInternal, "zlib: inflateInit failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&stream, inflateEnd);
  out.clear();
  size_t used = 0;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  size_t in_left = in.size();
  while (true) {
    if (used == out.size()) {
      if (used > max_out_bytes) return too_large("zlib", max_out_bytes);
      grow(out, used, max_out_bytes);
    }
    const uInt in_chunk = static_cast<uInt>(std::min<size_t>(in_left, 1u << 30));
    const uInt out_chunk = static_cast<uInt>(std::min<size_t>(out.size() - used, 1u << 30));
    stream.avail_in = in_chunk;
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    stream.avail_out = out_chunk;
    const int rc = inflate(&stream, Z_NO_FLUSH);
    in_left -= in_chunk - stream.avail_in;
    used += out_chunk - stream.avail_out;
    if (used > max_out_bytes) return too_large("zlib", max_out_bytes);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && in_left == 0) return corrupt("zlib: truncated stream");
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return corrupt(std::string("zlib: ") +
                     (stream.msg != nullptr ? stream.msg : "inflate failed"));
    }
  }
  if (in_left != 0) {
    return corrupt("zlib: " + std::to_string(in_left) + " bytes after the end of the stream");
  }
  out.resize(used);
  return Status::ok_status();
}

}  // namespace

std::string_view compression_name(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "none";
    case Compression::kZstd:
      return "zstd";
    case Compression::kZlib:
      return "zlib";
  }
  return "?";
}

Result<Compression> compression_named(std::string_view name) {
  for (Compression c : {Compression::kNone, Compression::kZstd, Compression::kZlib}) {
    if (compression_name(c) == name) return c;
  }
  return Error(ErrorCode::kCorrupt,
               "unknown compression '" + std::string(name.substr(0, 32)) + "'");
}

void Compressor::FreeCctx::operator()(ZSTD_CCtx_s* cctx) const {
  ZSTD_freeCCtx(cctx);
}

Compressor::Compressor() : zstd_(ZSTD_createCCtx()) {
  LJ_ASSERT(zstd_);
}
Compressor::~Compressor() = default;

Result<std::string_view> Compressor::compress(Compression compression, std::string_view in) {
  switch (compression) {
    case Compression::kNone:
      return in;
    case Compression::kZstd: {
      const size_t bound = ZSTD_compressBound(in.size());
      if (buffer_.size() < bound) buffer_.resize(bound);
      const size_t n =
          ZSTD_compressCCtx(zstd_.get(), buffer_.data(), bound, in.data(), in.size(), kZstdLevel);
      if (ZSTD_isError(n))
        return Error(ErrorCode::kInternal, std::string("zstd: ") + ZSTD_getErrorName(n));
      return std::string_view(buffer_.data(), n);
    }
    case Compression::kZlib: {
      uLongf n = compressBound(static_cast<uLong>(in.size()));
      if (buffer_.size() < n) buffer_.resize(n);
      const int rc = compress2(reinterpret_cast<Bytef*>(buffer_.data()), &n,
                               reinterpret_cast<const Bytef*>(in.data()),
                               static_cast<uLong>(in.size()), Z_DEFAULT_COMPRESSION);
      if (rc != Z_OK)
        return Error(ErrorCode::kInternal, "zlib: compress2 failed: " + std::to_string(rc));
      return std::string_view(buffer_.data(), n);
    }
  }
  return Error(ErrorCode::kInternal, "unknown compression");
}

Status decompress(Compression compression, std::string_view in, size_t max_out_bytes,
                  std::string& out) {
  switch (compression) {
    case Compression::kNone:
      if (in.size() > max_out_bytes) return too_large("body", max_out_bytes);
      out.assign(in);
      return Status::ok_status();
    case Compression::kZstd:
      return zstd_decompress(in, max_out_bytes, out);
    case Compression::kZlib:
      return zlib_decompress(in, max_out_bytes, out);
  }
  return Error(ErrorCode::kInternal, "unknown compression");
}

}  // namespace lj

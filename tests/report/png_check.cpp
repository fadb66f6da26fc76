#include "png_check.hpp"

#include <zlib.h>

#include <cstdlib>
#include <map>

namespace skillpipe::testing {
namespace {

std::uint32_t be32(const std::string& s, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

int paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

}  // namespace

std::optional<Image> decode_png(const std::string& s, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<Image> {
    if (error) *error = why;
    return std::nullopt;
  };
  if (s.size() < 8 || s.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return fail("not a PNG signature");
  std::size_t at = 8;
  int width = 0, height = 0, depth = 0, ctype = -1, interlace = 0;
  std::string idat;
  bool ended = false;
  while (at + 12 <= s.size()) {
    const std::uint32_t len = be32(s, at);
    if (at + 12 + len > s.size()) return fail("truncated chunk");
    const std::string type = s.substr(at + 4, 4);
    const std::uint32_t crc = be32(s, at + 8 + len);
    const auto calc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(s.data() + at + 4), static_cast<uInt>(len + 4)));
    if (crc != calc) return fail("bad CRC in " + type);
    const std::string data = s.substr(at + 8, len);
    if (type == "IHDR") {
      if (len != 13) return fail("bad IHDR");
      width = static_cast<int>(be32(data, 0));
      height = static_cast<int>(be32(data, 4));
      depth = static_cast<unsigned char>(data[8]);
      ctype = static_cast<unsigned char>(data[9]);
      interlace = static_cast<unsigned char>(data[12]);
    } else if (type == "IDAT") {
      idat += data;
    } else if (type == "IEND") {
      ended = true;
      break;
    }
    at += 12 + len;
  }
  if (!ended) return fail("no IEND chunk");
  if (depth != 8 || interlace != 0) return fail("only 8-bit non-interlaced PNGs are supported");
  int channels = 0;
  switch (ctype) {
    case 0:
      channels = 1;
      break;
    case 2:
      channels = 3;
      break;
    case 4:
      channels = 2;
      break;
    case 6:
      channels = 4;
      break;
    default:
      return fail("unsupported colour type " + std::to_string(ctype));
  }
  if (width <= 0 || height <= 0 || width > 20000 || height > 20000) return fail("bad size");
  const std::size_t stride = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  std::string raw((stride + 1) * static_cast<std::size_t>(height), '\0');
  uLongf raw_len = static_cast<uLongf>(raw.size());
  if (uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_len, reinterpret_cast<const Bytef*>(idat.data()),
                 static_cast<uLong>(idat.size())) != Z_OK ||
      raw_len != raw.size()) {
    return fail("cannot inflate the image data");
  }
  Image img;
  img.width = width;
  img.height = height;
  std::vector<unsigned char> prev(stride, 0), row(stride);
  for (int y = 0; y < height; ++y) {
    const unsigned char* line =
        reinterpret_cast<const unsigned char*>(raw.data()) + static_cast<std::size_t>(y) * (stride + 1);
    const int filter = line[0];
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x >= static_cast<std::size_t>(channels) ? row[x - channels] : 0;
      const int b = prev[x];
      const int c = x >= static_cast<std::size_t>(channels) ? prev[x - channels] : 0;
      int pred = 0;
      switch (filter) {
        case 0:
          pred = 0;
          break;
        case 1:
          pred = a;
          break;
        case 2:
          pred = b;
          break;
        case 3:
          pred = (a + b) / 2;
          break;
        case 4:
          pred = paeth(a, b, c);
          break;
        default:
          return fail("bad filter type " + std::to_string(filter));
      }
      row[x] = static_cast<unsigned char>((line[1 + x] + pred) & 0xFF);
    }
    for (int x = 0; x < width; ++x) {
      const unsigned char* p = row.data() + static_cast<std::size_t>(x) * static_cast<std::size_t>(channels);
      std::uint32_t r = p[0], g = p[0], bl = p[0], al = 255;
      if (channels >= 3) g = p[1], bl = p[2];
      if (channels == 4) al = p[3];
      if (channels == 2) al = p[1];
      img.rgba.push_back((r << 24) | (g << 16) | (bl << 8) | al);
    }
    prev = row;
  }
  return img;
}

Ink measure_ink(const Image& image) {
  std::map<std::uint32_t, std::size_t> hist;
  for (auto px : image.rgba) ++hist[px];
  Ink ink;
  ink.colours = hist.size();
  std::size_t top = 0;
  for (const auto& [px, n] : hist) top = std::max(top, n);
  if (!image.rgba.empty()) ink.fraction = 1.0 - static_cast<double>(top) / static_cast<double>(image.rgba.size());
  return ink;
}

}  // namespace skillpipe::testing

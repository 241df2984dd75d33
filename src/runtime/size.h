// Runner sizes: "CPUSxGB" as Depot names them (2x8 = 2 CPUs, 8 GB memory). Only the sizes of
// the table below exist, as on GitHub's and Depot's hosted runners; each carries a disk figure
// (25 GB per CPU) that the config file may override per size ([sizes."2x8"] disk = "50G").
//
//   size     CPUs  memory  disk
//   1x1         1    1 GB   25 GB   (the smallest: light jobs and tests)
//   2x8         2    8 GB   50 GB   (the default, config default_size)
//   4x16        4   16 GB  100 GB
//   8x32        8   32 GB  200 GB
//   16x64      16   64 GB  400 GB
//   32x128     32  128 GB  800 GB
//   64x256     64  256 GB 1600 GB
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace kiln::runtime {

struct Size {
  int cpus = 0;
  int64_t memory_bytes = 0;  // GiB × 2^30
  std::string name;          // "2x8"
  // What the sandbox may add to its image on disk (its overlay upper dir), in bytes; 0 = no cap.
  int64_t disk_bytes = 0;
};

inline constexpr const char* kDefaultSize = "2x8";
// "1x1, 2x8, 4x16, 8x32, 16x64, 32x128, 64x256", for messages.
std::string ValidSizes();

// Every size of the table above, smallest first.
std::vector<Size> AllSizes();

// Parses a size of the table above, written exactly as there (no leading zeros, spaces or
// signs); anything else is InvalidArgument naming the valid sizes.
Result<Size> ParseSize(std::string_view text);
// True when `have` is at least `need` in both CPUs and memory.
bool SizeFits(const Size& have, const Size& need);
// The larger of two sizes (by CPUs, then memory).
const Size& LargerSize(const Size& a, const Size& b);

// Parses a byte figure: a number with an optional K, M, G or T suffix (powers of 1024; "50G",
// "200M", "1073741824"). InvalidArgument otherwise, or when it is 0 or above 2^62.
Result<int64_t> ParseBytes(std::string_view text);
// "1 GB", "200 MB", "1.5 GB": a limit for people (powers of 1024, as ParseBytes reads them).
std::string FormatBinaryBytes(int64_t bytes);

}  // namespace kiln::runtime

// libFuzzer target: Dockerfiles through build::ParseDockerfile and build::Expand (a Dockerfile
// comes from the repository a job checked out: untrusted). No input may crash or hang; every
// error names FILE:LINE:COL; every instruction has a location inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "build/dockerfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto df = kiln::build::ParseDockerfile(text, "Dockerfile");
  if (!df.ok()) {
    if (df.status().message().rfind("Dockerfile:", 0) != 0) std::abort();
    return 0;
  }
  int lines = 1;
  for (char c : text) lines += c == '\n';
  kiln::build::Vars vars = {{"A", "a"}, {"EMPTY", ""}, {"SP", "x y"}};
  for (const auto& in : df->instructions) {
    if (in.loc.line < 1 || in.loc.line > lines || in.loc.col < 1) std::abort();
    for (const auto& w : in.words) {
      if (w.loc.line < in.loc.line || w.loc.line > lines) std::abort();
      auto expanded = kiln::build::Expand(w.text, vars, df->escape, w.loc);
      if (!expanded.ok() && expanded.status().message().rfind("Dockerfile:", 0) != 0) std::abort();
    }
  }
  return 0;
}

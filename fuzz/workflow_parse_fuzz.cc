// libFuzzer target: a workflow file (YAML) through the parser and the planner, as `kiln run`
// reads one. Any crash, sanitizer report, leak or timeout is a bug; errors are expected.
#include <cstddef>
#include <cstdint>
#include <string>

#include "workflow/parse.h"
#include "workflow/plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto w = kiln::workflow::ParseWorkflow(text, "fuzz.yml");
  if (!w.ok()) return 0;
  auto plan = kiln::workflow::PlanRun(*w, "");
  (void)plan;
  return 0;
}

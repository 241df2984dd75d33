// docker's `create` options, as GitHub's `container.options` / `services.*.options` and the
// container hooks' `createOptions` give them, read into a ContainerRequest (jobs/pod.h).
//
// The string is split like a POSIX shell splits words (single and double quotes, backslash
// escapes; no expansion), then read as docker reads it: `--opt value`, `--opt=value`, `-o value`,
// `-ovalue`. Honoured: --cpus, -m/--memory, -e/--env (K=V, or a bare K taken from `getenv`, and
// dropped when unset, as docker does), -u/--user, -h/--hostname, --health-cmd,
// --health-interval, --health-retries, --health-timeout, --health-start-period,
// --no-healthcheck, --entrypoint (one word, as docker's), --network-alias, -w/--workdir, --name.
// Any other option, a word that is no option, or a bad value is InvalidArgument naming it: an
// option kiln cannot honour is never dropped in silence.
//
// Sizes: kiln runs sandboxes in the sizes of runtime/size.h only, so --cpus and --memory pick
// the smallest size that has at least ceil(cpus) CPUs and at least the memory asked for ("--cpus
// 1" → 1x1, "--cpus 1.5" → 2x8, "-m 4g" → 2x8, "--cpus 1 -m 2g" → 2x8); more than the largest
// size is an error.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "jobs/pod.h"

namespace kiln::jobs {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Shell-like word splitting (no expansion); an unclosed quote or a trailing backslash is
// InvalidArgument.
Result<std::vector<std::string>> SplitShellWords(std::string_view text);

// The smallest size (runtime/size.h) with ≥ ceil(cpus) CPUs and ≥ memory_bytes of memory; 0
// means "not asked". "" when neither is asked.
Result<std::string> SizeForLimits(double cpus, int64_t memory_bytes);

// docker's byte figures: a number with an optional b, k, m, g or t suffix (either case;
// powers of 1024): "512m", "4g", "1073741824".
Result<int64_t> ParseDockerBytes(std::string_view text);
// Go durations as docker takes them: "30s", "1m30s", "500ms", "2h" (a bare number is an error).
Result<double> ParseDockerDuration(std::string_view text);

// Applies `options` to `request` (env appended, the others set). The request is unchanged when
// an error is returned.
Status ApplyDockerOptions(std::string_view options, const EnvLookup& getenv,
                          ContainerRequest* request);

}  // namespace kiln::jobs

#include "workflow/step_commands.h"

#include <utility>

#include "workflow/file_commands_io.h"

namespace kiln::workflow {
namespace {

bool IsTrue(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  if (it == m.end()) return false;
  std::string v = it->second;
  for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return v == "true";
}

void AddAnnotation(JobContext& ctx, Annotation a) {
  if (ctx.report.annotations.size() >= kMaxAnnotationsPerJob) return;
  const MaskSet& m = ctx.commands.masks;
  a.message = Mask(a.message, m);
  a.title = Mask(a.title, m);
  a.file = Mask(a.file, m);
  a.job = ctx.report.name;
  ctx.report.annotations.push_back(std::move(a));
}

Status ReadState(JobContext& ctx, const Step& step, const std::string& state_file) {
  ASSIGN_OR_RETURN(std::string text,
                   ReadCommandFile(ctx.temp_fd.get(), state_file, "GITHUB_STATE"));
  auto kv = ParseKeyValueFile(text);
  if (!kv.ok()) return kv.status().WithContext("GITHUB_STATE");
  for (const auto& [k, v] : *kv) ctx.commands.state[k] = v;
  return Status::Ok();
}

Status ReadSummary(JobContext& ctx, const std::string& summary_file) {
  auto text = ReadCommandFile(ctx.temp_fd.get(), summary_file, "GITHUB_STEP_SUMMARY");
  if (!text.ok() && text.status().code() == Code::kInvalidArgument) {  // over 1 MiB
    Annotation a{"error",
                 "$GITHUB_STEP_SUMMARY upload aborted: " + text.status().message() +
                     "; the step's summary is left out",
                 "",
                 "",
                 0,
                 0,
                 ""};
    ctx.Print(FormatAnnotation(a));
    AddAnnotation(ctx, a);
    return Status::Ok();
  }
  if (!text.ok()) return text.status();
  if (text->empty()) return Status::Ok();
  std::string& s = ctx.report.summary;
  s += Mask(*text, ctx.commands.masks);
  if (s.back() != '\n') s += '\n';
  return Status::Ok();
}

}  // namespace

void BeginStepCommands(JobContext& ctx, const EnvMap& step_env) {
  for (const EnvMap* env : {&step_env, static_cast<const EnvMap*>(&ctx.env)}) {
    for (const auto& [k, v] : *env)
      ctx.commands.allow_unsecure |= k == "ACTIONS_ALLOW_UNSECURE_COMMANDS" && v == "true";
  }
  const RunOptions& o = *ctx.options;
  ctx.commands.show_debug =
      o.verbose || IsTrue(o.secrets, "ACTIONS_STEP_DEBUG") || IsTrue(o.vars, "ACTIONS_STEP_DEBUG");
}

Status EndStepCommands(JobContext& ctx, const Step& step, bool files_made,
                       const std::string& summary_file, const std::string& state_file) {
  Status st = std::exchange(ctx.commands.command_error, Status::Ok());
  ctx.commands.in_group = false;
  ctx.commands.stop_token.clear();
  if (files_made) {
    Status state_ok = ReadState(ctx, step, state_file);
    if (st.ok()) st = state_ok;
    Status summary_ok = ReadSummary(ctx, summary_file);
    if (st.ok()) st = summary_ok;
  }
  if (!ctx.commands.state.empty()) ctx.action_state[step.id] = std::move(ctx.commands.state);
  ctx.commands.state.clear();
  for (auto& a : ctx.commands.annotations) AddAnnotation(ctx, std::move(a));
  ctx.commands.annotations.clear();
  return st;
}

void PrintJobSummary(const JobContext& ctx) {
  const std::string& s = ctx.report.summary;
  if (s.empty()) return;
  ctx.Print("📝 Job summary");
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    ctx.Print("  " + s.substr(start, nl - start));
    start = nl + 1;
  }
}

}  // namespace kiln::workflow

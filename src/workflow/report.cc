// Run summaries: the table printed at the end of `kiln run`, and its JSON form.
#include "base/clock.h"
#include "base/table.h"
#include "workflow/file_commands.h"
#include "workflow/runner.h"

namespace kiln::workflow {

std::string OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kFailure:
      return "failure";
    case Outcome::kSkipped:
      return "skipped";
    case Outcome::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

namespace {

// "Annotations:" and one line per ::error/warning/notice:: of every job ("" when none).
std::string FormatAnnotations(const RunReport& report) {
  std::string out;
  for (const auto& j : report.jobs) {
    for (const auto& a : j.annotations) {
      std::string line = "  [" + j.name + "] " + FormatAnnotation(a);
      for (size_t nl = line.find('\n'); nl != std::string::npos; nl = line.find('\n', nl + 1))
        line.insert(nl + 1, "    ");
      out += line + "\n";
    }
  }
  return out.empty() ? out : "Annotations:\n" + out;
}

Json AnnotationsJson(const JobReport& j) {
  Json out = Json::array();
  for (const auto& a : j.annotations) {
    out.push_back({{"level", a.level},
                   {"message", a.message},
                   {"title", a.title},
                   {"file", a.file},
                   {"line", a.line},
                   {"column", a.column}});
  }
  return out;
}

const char* Mark(Outcome o) {
  switch (o) {
    case Outcome::kSuccess:
      return "✅";
    case Outcome::kFailure:
      return "❌";
    case Outcome::kSkipped:
      return "⏭ ";
    case Outcome::kCancelled:
      return "⛔";
  }
  return "?";
}
}  // namespace

std::string FormatSummary(const RunReport& report) {
  Table t({"", "JOB / STEP", "RESULT", "TIME", "IMAGE"});
  for (const auto& j : report.jobs) {
    t.Add({Mark(j.result), j.name, OutcomeName(j.result), FormatDuration(j.seconds),
           j.image + (j.size.empty() ? "" : " (" + j.size + ")")});
    for (const auto& s : j.steps) {
      std::string result = OutcomeName(s.conclusion);
      if (s.outcome != s.conclusion)
        result += " (" + OutcomeName(s.outcome) + ", continue-on-error)";
      else if (s.outcome == Outcome::kFailure)
        result += " (exit " + std::to_string(s.exit_code) + ")";
      t.Add({"", "  " + s.name, result,
             s.outcome == Outcome::kSkipped ? "" : FormatDuration(s.seconds), ""});
    }
    if (!j.error.empty() && j.result != Outcome::kSkipped) t.Add({"", "  " + j.error, "", "", ""});
  }
  std::string out = "\nSummary (" + FormatDuration(report.seconds) + "):\n" + t.Render();
  out += FormatAnnotations(report);
  for (const auto& n : report.not_triggered) out += "Not run: " + n + " (choose it with --event)\n";
  if (report.jobs.empty() && !report.not_triggered.empty()) out += "No job ran.\n";
  out += report.success ? "Run succeeded.\n" : "Run failed.\n";
  return out;
}

Json ReportJson(const RunReport& report) {
  Json jobs = Json::array();
  for (const auto& j : report.jobs) {
    Json steps = Json::array();
    for (const auto& s : j.steps) {
      steps.push_back({{"name", s.name},
                       {"outcome", OutcomeName(s.outcome)},
                       {"conclusion", OutcomeName(s.conclusion)},
                       {"exit_code", s.exit_code},
                       {"seconds", s.seconds}});
    }
    jobs.push_back({{"workflow", j.workflow},
                    {"id", j.id},
                    {"name", j.name},
                    {"image", j.image},
                    {"size", j.size},
                    {"result", OutcomeName(j.result)},
                    {"seconds", j.seconds},
                    {"error", j.error},
                    {"outputs", j.outputs},
                    {"steps", steps},
                    {"annotations", AnnotationsJson(j)},
                    {"summary", j.summary}});
  }
  return {{"success", report.success},
          {"seconds", report.seconds},
          {"jobs", jobs},
          {"not_triggered", report.not_triggered}};
}

}  // namespace kiln::workflow

// COPY and ADD: a layer made from the context's files (steps.h, copy_files.h).
#include "base/fs.h"
#include "base/json.h"
#include "build/copy_files.h"
#include "build/steps.h"

namespace kiln::build {
namespace {

struct CopyPlan {
  std::vector<std::vector<Source>> sources;  // per source word
  std::string dest;                          // absolute, clean
  bool dest_is_dir = false;                  // ends in '/', or several sources
  CopyOptions options;
  std::string chown;  // --chown as expanded; "" = root
  bool add = false;
};

// The host path a source lands at under the staged root.
std::string Target(const CopyPlan& p, const Source& src, const std::string& root,
                   bool dest_is_dir) {
  std::string base = src.rel.substr(src.rel.find_last_of('/') + 1);
  if (src.is_dir || !dest_is_dir) return JoinPath(root, p.dest);
  return JoinPath(JoinPath(root, p.dest), base);
}

Status Stage(BuildState& s, const CopyPlan& p, const IgnoreRules& ignore, const std::string& root) {
  ASSIGN_OR_RETURN(std::vector<std::string> lower, LowerDirs(s));
  CopyPlan r = p;
  r.dest = ResolveInImage(lower, p.dest);  // symlinks in the image's path are followed
  if (!r.chown.empty()) {
    ASSIGN_OR_RETURN(auto ids, ResolveOwner(lower, r.chown));
    r.options.uid = ids.first;
    r.options.gid = ids.second;
  }
  // A single file to an existing directory goes into it, as docker copies it.
  bool dest_is_dir = r.dest_is_dir || ImageHasDir(lower, r.dest);
  std::string parent = r.dest.substr(0, r.dest.find_last_of('/'));
  RETURN_IF_ERROR(StageDirs(lower, root, dest_is_dir ? r.dest : (parent.empty() ? "/" : parent),
                            r.options.uid, r.options.gid));
  for (const auto& group : r.sources) {
    for (const auto& src : group) {
      std::string target = Target(r, src, root, dest_is_dir);
      if (r.add && !src.is_dir) {
        ASSIGN_OR_RETURN(bool extracted, ExtractIfArchive(src.host, JoinPath(root, r.dest)));
        if (extracted) continue;
      }
      RETURN_IF_ERROR_CTX(CopyTree(src, target, r.options, ignore),
                          src.rel.empty() ? "." : src.rel);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<StepPlan> PlanCopy(const Instruction& in, BuildState& s) {
  Vars vars = ExpansionVars(s);
  std::vector<std::string> words;
  if (in.exec_form) {  // expanded too, as docker does
    for (const auto& w : in.exec) {
      ASSIGN_OR_RETURN(std::string v, Expand(w, vars, s.escape, in.rest_loc));
      words.push_back(v);
    }
  } else {
    for (const auto& w : in.words) {
      ASSIGN_OR_RETURN(std::string v, Expand(w.text, vars, s.escape, w.loc));
      words.push_back(v);
    }
  }
  auto plan = std::make_shared<CopyPlan>();
  plan->add = in.name == "ADD";
  if (auto it = in.flags.find("chown"); it != in.flags.end()) {
    ASSIGN_OR_RETURN(plan->chown, Expand(it->second, vars, s.escape, in.loc));
  }
  if (auto it = in.flags.find("chmod"); it != in.flags.end())
    plan->options.chmod = static_cast<mode_t>(std::stoi(it->second, nullptr, 8));
  plan->options.context = s.context;
  std::string dest = words.back();
  const std::string& cwd = s.image.config.working_dir.empty() ? "/" : s.image.config.working_dir;
  plan->dest = CleanAbsolute(cwd, dest);
  plan->dest_is_dir = dest.back() == '/' || words.size() > 2 || dest == "." ||
                      (words[0].find_first_of("*?[") != std::string::npos);
  auto ignore = std::make_shared<IgnoreRules>();
  ASSIGN_OR_RETURN(*ignore, IgnoreRules::Load(s.context));
  Json key = Json::array();
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (plan->add && (words[i].rfind("http://", 0) == 0 || words[i].rfind("https://", 0) == 0)) {
      return ErrorAt(in.loc, "ADD of a URL (" + words[i] + ") is not supported by kiln build");
    }
    auto found = FindSources(s.context, words[i], *ignore);
    if (!found.ok()) return ErrorAt(in.loc, in.name + " " + found.status().message());
    ASSIGN_OR_RETURN(std::string digest, SourcesDigest(*found, *ignore, s.context));
    key.push_back(words[i] + " sha256:" + digest);
    plan->sources.push_back(std::move(*found));
  }
  std::string text = in.name + " " + DumpJson(key) + " " + plan->dest + " " +
                     (plan->chown.empty() ? "0:0" : plan->chown) +
                     (plan->options.chmod ? " " + in.flags.at("chmod") : "");
  return StepPlan{text, [&s, plan, ignore, text](const std::string&) -> Result<oci::Descriptor> {
                    ASSIGN_OR_RETURN(std::string runs, s.engine->RunsDir());
                    ASSIGN_OR_RETURN(std::string root, MakeTempDir(runs, "build-"));
                    Status staged = Stage(s, *plan, *ignore, root);
                    auto made = staged.ok() ? CommitLayer(s, root, s.image.config, text)
                                            : Result<oci::Descriptor>(staged);
                    (void)RemoveTree(root);
                    return made;
                  }};
}

}  // namespace kiln::build

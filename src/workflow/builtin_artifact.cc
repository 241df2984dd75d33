// actions/upload-artifact and actions/download-artifact, built in: a run's artifacts are
// directories <ArtifactRunDir>/<name>/ holding the uploaded files by their paths relative to
// the upload's root (the least common ancestor of its search paths, as upload-artifact
// computes it). Every job of the run sees them.
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "base/fd.h"
#include "base/fs.h"
#include "base/subprocess.h"
#include "workflow/builtin_actions_internal.h"
#include "workflow/builtin_paths.h"
#include "workflow/builtin_safe_fs.h"

namespace kiln::workflow {
namespace {

std::string Input(const StepInputs& with, const std::string& key, const std::string& dflt = "") {
  auto it = with.find(key);
  return it == with.end() || it->second.empty() ? dflt : it->second;
}

std::string Dirname(const std::string& p) {
  size_t slash = p.rfind('/');
  return slash == 0 ? "/" : slash == std::string::npos ? "." : p.substr(0, slash);
}

// The deepest directory holding every one of `paths` (component-wise).
std::string CommonAncestor(const std::vector<std::string>& paths) {
  std::string lca = paths[0];
  for (const auto& p : paths) {
    while (!PathWithin(lca, p)) lca = Dirname(lca);
  }
  return lca;
}

Status CheckName(const std::string& name) {
  if (name == "." || name == ".." || name.find_first_of("/\\\":<>|*?\r\n") != std::string::npos) {
    return InvalidArgument("upload-artifact: the artifact name \"" + name +
                           "\" may not hold / \\ \" : < > | * ? or a line break");
  }
  return Status::Ok();
}

// Adds the regular files at or below `path` to `files`; symlinks (the last component or one on
// the way, as in link/id_rsa) are followed only to files inside the workspace or $HOME
// (others are skipped with a warning).
void CollectFiles(JobContext& ctx, const std::string& path, const PathMatches& m,
                  std::vector<std::string>& files) {
  if (m.Excluded(path)) return;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return;
  if (S_ISLNK(st.st_mode)) {
    char* real = ::realpath(path.c_str(), nullptr);
    std::string target = real ? real : "";
    std::free(real);
    if (!ResolvesInside(ctx, path) || ::stat(target.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      BuiltinWarning(ctx, "upload-artifact: " + JobPathOf(ctx, path) +
                              " is a symlink to no file in the workspace or $HOME: skipped");
      return;
    }
    files.push_back(path);
  } else if (S_ISREG(st.st_mode)) {
    if (!ResolvesInside(ctx, path)) {
      BuiltinWarning(ctx, "upload-artifact: " + JobPathOf(ctx, path) +
                              " is reached through a symlink out of the workspace and $HOME: "
                              "skipped");
      return;
    }
    files.push_back(path);
  } else if (S_ISDIR(st.st_mode)) {
    auto names = ListDir(path);
    if (!names.ok()) return;
    for (const auto& n : *names) CollectFiles(ctx, path + "/" + n, m, files);
  }
}

// Copies an artifact into `to` (a host path below the workspace or $HOME), through no symlink.
Status CopyTree(const JobContext& ctx, const std::string& from, const std::string& to) {
  std::string ws = WorkspaceHostDir(ctx), home = HomeHostDir(ctx);
  bool in_home = PathWithin(home, to) && (!PathWithin(ws, to) || home.size() > ws.size());
  return CopyTreeNoFollow(from, in_home ? home : ws, to,
                          "download-artifact: " + JobPathOf(ctx, to));
}

// upload-artifact before v4: a name uploaded again adds to the artifact (files replaced).
bool BeforeV4(const Step& step) {
  std::string ref = step.uses.substr(step.uses.find('@') + 1);
  for (const char* v : {"v1", "v2", "v3"}) {
    if (ref == v || ref.rfind(std::string(v) + ".", 0) == 0) return true;
  }
  return false;
}

// A hidden file as upload-artifact v4 (4.4+) sees one: a component of its path, below the
// workspace or $HOME, starts with '.'.
bool Hidden(const JobContext& ctx, const std::string& file) {
  std::string shown = JobPathOf(ctx, file);
  for (const char* root : {kWorkspace, kHome}) {
    std::string prefix = std::string(root) + "/";
    if (shown.rfind(prefix, 0) == 0) {
      std::string rel = "/" + shown.substr(prefix.size());
      return rel.find("/.") != std::string::npos;
    }
  }
  return false;
}

// Moves the staged upload `tmp` into place at `dest`: replacing it, or (`merge`) adding to it.
Status Publish(const std::string& tmp, const std::string& dest, bool merge) {
  if (merge && PathExists(dest)) {
    return RunChecked({"cp", "-R", "--preserve=mode,timestamps", "--", tmp + "/.", dest}).status();
  }
  RETURN_IF_ERROR(RemoveTree(dest));
  if (::rename(tmp.c_str(), dest.c_str()) != 0) return ErrnoStatus("rename " + dest, errno);
  return Status::Ok();
}

// Holds LOCK_EX on <run_dir>/.lock: jobs uploading at once check a name and publish it in turn.
Result<UniqueFd> LockRunDir(const std::string& run_dir) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(run_dir + "/.lock", O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoStatus("flock " + run_dir + "/.lock", errno);
  }
  return fd;
}

}  // namespace

std::string ArtifactRunDir(const RunOptions& options, const std::string& run_id) {
  return options.artifact_dir.empty() ? options.scratch_dir + "/" + run_id + "-artifacts"
                                      : options.artifact_dir + "/" + run_id;
}

Status UploadArtifact(JobContext& ctx, const Step& step, const StepInputs& with, Json& outputs) {
  bool v3 = BeforeV4(step);
  std::string name = Input(with, "name", "artifact");
  RETURN_IF_ERROR(CheckName(name));
  if (InputLines(Input(with, "path")).empty()) {
    return InvalidArgument("upload-artifact: input path is required");
  }
  ASSIGN_OR_RETURN(PathMatches m, MatchPatterns(ctx, Input(with, "path")));
  std::vector<std::string> files;
  for (const auto& p : m.paths) CollectFiles(ctx, p, m, files);
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  if (!v3 && Input(with, "include-hidden-files") != "true") {
    std::erase_if(files, [&](const std::string& f) { return Hidden(ctx, f); });
  }
  if (files.empty()) {
    std::string mode = Input(with, "if-no-files-found", "warn");
    std::string what = "no files were found with the provided path: " + Input(with, "path");
    if (mode == "error") return NotFound("upload-artifact: " + what);
    if (mode == "warn")
      BuiltinWarning(ctx, "upload-artifact: " + what + ". No artifacts will be uploaded.");
    if (mode == "ignore") ctx.Print("upload-artifact: " + what);
    return Status::Ok();
  }
  std::string root =
      files.size() == 1 && m.search_paths.size() == 1 && m.search_paths[0] == files[0]
          ? Dirname(files[0])
          : CommonAncestor(m.search_paths);
  std::string run_dir = ArtifactRunDir(*ctx.options, ctx.run_id);
  std::string dest = run_dir + "/" + name;
  RETURN_IF_ERROR(MakeDirs(run_dir, 0700));
  ASSIGN_OR_RETURN(UniqueFd lock, LockRunDir(run_dir));  // held until published
  if (!v3 && PathExists(dest) && Input(with, "overwrite") != "true") {
    return AlreadyExists("upload-artifact: an artifact named \"" + name +
                         "\" already exists in this run; give another name, or overwrite: true");
  }
  ASSIGN_OR_RETURN(std::string tmp, MakeTempDir(run_dir, ".tmp-"));
  Status s;
  // One cp per source directory (files are sorted, so a directory's files are together).
  for (size_t i = 0; i < files.size() && s.ok();) {
    std::string dir = Dirname(files[i]);
    std::string to = tmp + (dir == root ? "" : dir.substr(root == "/" ? 0 : root.size()));
    std::vector<std::string> argv = {"cp", "-L", "--preserve=mode,timestamps", "-t", to, "--"};
    for (; i < files.size() && Dirname(files[i]) == dir; ++i) argv.push_back(files[i]);
    s = MakeDirs(to);
    if (s.ok()) s = RunChecked(argv).status();
  }
  if (s.ok()) s = Publish(tmp, dest, v3 && Input(with, "overwrite") != "true");
  (void)RemoveTree(tmp);  // gone already when renamed
  if (!s.ok()) return s.WithContext("upload-artifact");
  auto all = ListDir(run_dir);
  if (all.ok()) std::erase_if(*all, [](const std::string& n) { return n[0] == '.'; });
  outputs["artifact-id"] = std::to_string(all.ok() ? all->size() : 1);
  ctx.Print("upload-artifact: " + std::to_string(files.size()) + " file(s) as artifact \"" + name +
            "\"");
  return Status::Ok();
}

Status DownloadArtifact(JobContext& ctx, const Step&, const StepInputs& with, Json& outputs) {
  // run-id: another run's artifacts, kept when --artifact-server-path is given.
  std::string run_id = Input(with, "run-id", ctx.run_id);
  if (run_id.find_first_of("/.") != std::string::npos) {
    return InvalidArgument("download-artifact: run-id " + run_id + " is not a run id");
  }
  std::string run_dir = ArtifactRunDir(*ctx.options, run_id);
  ASSIGN_OR_RETURN(std::string dest, HostPathOf(ctx, Input(with, "path")));
  std::string name = Input(with, "name");
  if (!name.empty()) {
    RETURN_IF_ERROR(CheckName(name));
    if (!IsDirectory(run_dir + "/" + name)) {
      return NotFound("download-artifact: no artifact named \"" + name +
                      "\" in this run (was it uploaded by a job this one needs?)");
    }
    RETURN_IF_ERROR(CopyTree(ctx, run_dir + "/" + name, dest));
  } else {
    std::vector<std::string> names;
    if (IsDirectory(run_dir)) {
      ASSIGN_OR_RETURN(names, ListDir(run_dir));
    }
    std::string pattern = Input(with, "pattern");
    bool merge = Input(with, "merge-multiple") == "true";
    int n = 0;
    for (const auto& a : names) {
      if (a[0] == '.' || (!pattern.empty() && ::fnmatch(pattern.c_str(), a.c_str(), 0) != 0)) {
        continue;
      }
      RETURN_IF_ERROR(CopyTree(ctx, run_dir + "/" + a, merge ? dest : dest + "/" + a));
      ++n;
    }
    ctx.Print("download-artifact: " + std::to_string(n) + " artifact(s)");
  }
  outputs["download-path"] = JobPathOf(ctx, dest);
  return Status::Ok();
}

}  // namespace kiln::workflow

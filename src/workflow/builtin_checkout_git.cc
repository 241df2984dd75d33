// actions/checkout of a ref (builtin_checkout.cc): which ref, and its checkout in a private
// clone whose files are then synced into the target (checkout_git.h says why).
#include "base/fs.h"
#include "workflow/checkout_git.h"
#include "workflow/workspace_copy.h"

namespace kiln::workflow {
namespace {

// Fetches `ref` of `src` into the new private repository `repo` and checks it out there.
Status FetchAndCheckout(const std::string& src, const std::string& repo, const RefPlan& ref,
                        int depth) {
  RETURN_IF_ERROR(MakeDirs(repo, 0755));
  RETURN_IF_ERROR(CheckoutGit(repo, {"init", "-q"}).status());
  RETURN_IF_ERROR(CheckoutGit(repo, {"config", "remote.origin.url", "file://" + src}).status());
  if (depth == 0) {
    RETURN_IF_ERROR(
        CheckoutGit(repo, {"fetch", "-q", "--prune", "origin",
                           "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"})
            .status());
  }
  std::vector<std::string> fetch = {"fetch", "-q", "--no-tags"};
  if (depth > 0) fetch.push_back("--depth=" + std::to_string(depth));
  fetch.push_back("origin");
  fetch.push_back(ref.fetch);
  RETURN_IF_ERROR(CheckoutGit(repo, fetch).status());
  if (!ref.branch.empty()) {
    return CheckoutGit(repo, {"checkout", "-q", "--force", "-B", ref.branch, ref.checkout})
        .status();
  }
  return CheckoutGit(repo, {"checkout", "-q", "--force", "--detach", ref.checkout}).status();
}

}  // namespace

Result<RefPlan> PlanRef(const std::string& src, const std::string& ref) {
  RefPlan p;
  std::string name = ref;
  if (name.empty()) {
    auto head = CheckoutGit(src, {"symbolic-ref", "-q", "HEAD"});
    name = head.ok() ? *head : "";
    if (name.empty()) {
      ASSIGN_OR_RETURN(name, CheckoutGit(src, {"rev-parse", "HEAD"}));
    }
  }
  std::vector<std::string> candidates = {name};
  if (name.rfind("refs/", 0) != 0) candidates = {"refs/heads/" + name, "refs/tags/" + name};
  for (const std::string& full : candidates) {
    if (!CheckoutGit(src, {"rev-parse", "--verify", "-q", full + "^{commit}"}).ok()) continue;
    p.full = full;
    if (full.rfind("refs/heads/", 0) == 0) {
      p.branch = full.substr(11);
      p.fetch = "+" + full + ":refs/remotes/origin/" + p.branch;
      p.checkout = "refs/remotes/origin/" + p.branch;
    } else {
      p.fetch = "+" + full + ":" + full;
      p.checkout = full;
    }
    return p;
  }
  auto sha = CheckoutGit(src, {"rev-parse", "--verify", "-q", name + "^{commit}"});
  if (!sha.ok()) {
    return NotFound("actions/checkout: ref \"" + name +
                    "\" is no branch, tag or commit of the local repository");
  }
  p.full = *sha, p.fetch = *sha, p.checkout = "FETCH_HEAD";
  return p;
}

Result<std::string> GitCheckout(const std::string& host_dir, const std::string& src,
                                const std::string& target, const RefPlan& ref, int depth,
                                bool clean) {
  ASSIGN_OR_RETURN(std::string tmp, MakeTempDir(host_dir, "checkout-"));
  std::string repo = tmp + "/repo";
  Status s = FetchAndCheckout(src, repo, ref, depth);
  std::string head;
  if (s.ok()) {
    auto h = CheckoutGit(repo, {"rev-parse", "HEAD"});
    s = h.status();
    if (h.ok()) head = *h;
  }
  if (s.ok() && !clean) s = RemoveTree(target + "/.git");
  if (s.ok()) s = SyncTree(repo, target, 2, {}, clean).status();
  Status removed = RemoveTree(tmp);
  RETURN_IF_ERROR(s);
  RETURN_IF_ERROR(removed);
  return head;
}

}  // namespace kiln::workflow

// A job's `snapshot:` (kiln's custom images, with Depot's `push:`) and the snapshot action step
// (`uses: kiln/snapshot@v1` or `depot/snapshot-action@v1` with `with: {image: REF}`).
#include "catalog/version.h"
#include "oci/reference.h"
#include "workflow/parse_util.h"

namespace kiln::workflow {
bool IsSnapshotAction(const std::string& uses) {
  return uses == "kiln/snapshot@v1" || uses == "depot/snapshot-action@v1";
}

namespace {

// One reference or a list of them: a YAML sequence, or a string of one per line.
std::vector<std::string> References(Ctx& c, const YAML::Node& n, const std::string& what) {
  std::vector<std::string> out;
  auto add_lines = [&](const std::string& text) {
    for (std::string& line : NonEmptyLines(text)) out.push_back(std::move(line));
  };
  if (n.IsSequence()) {
    for (const auto& item : n) add_lines(Scalar(c, item, what));
  } else {
    add_lines(Scalar(c, n, what));
  }
  if (out.empty()) c.Fail(n, what + " names no image");
  return out;
}

// A reference that names a registry host (expressions are checked when the job runs).
void CheckRemote(Ctx& c, const YAML::Node& n, const std::string& ref, const std::string& what,
                 bool repository_only) {
  if (ref.find("${{") != std::string::npos) return;
  auto parsed = oci::Reference::Parse(ref);
  if (!parsed.ok()) c.Fail(n, what + ": " + parsed.status().message());
  if (parsed->domain.empty()) {
    c.Fail(n, what + " \"" + ref + "\" names no registry host (e.g. 127.0.0.1:5000/" +
                  parsed->path + ")");
  }
  if (parsed->digest) c.Fail(n, what + " \"" + ref + "\" may not name a digest");
  if (repository_only && !parsed->tag.empty()) {
    c.Fail(n, what + " \"" + ref + "\" names a tag; name the repository (each version is " +
                  "pushed as REPO:<version> and REPO:latest)");
  }
}

}  // namespace

SnapshotSpec ParseSnapshot(Ctx& c, const YAML::Node& n) {
  SnapshotSpec s;
  s.pos = c.PosOf(n);
  if (n.IsScalar()) {
    s.image_name = n.Scalar();
  } else if (n.IsMap()) {
    CheckKeys(c, n, {"image-name", "version", "if", "persist-env", "push"}, "snapshot");
    if (!n["image-name"]) c.Fail(n, "snapshot mapping needs `image-name`");
    s.image_name = Scalar(c, n["image-name"], "image-name");
    if (n["version"]) {
      s.version = Scalar(c, n["version"], "version");
      auto spec = catalog::ParseVersionSpec(s.version);
      if (!spec.ok()) c.Fail(n["version"], spec.status().message());
    }
    if (n["if"]) s.if_expr = StripExpr(Scalar(c, n["if"], "if"));
    if (n["persist-env"]) s.persist_env = Bool(c, n["persist-env"], "persist-env");
    if (n["push"]) {
      s.push = References(c, n["push"], "snapshot push");
      for (const auto& ref : s.push) CheckRemote(c, n["push"], ref, "snapshot push", true);
    }
  } else {
    c.Fail(n, "snapshot must be an image name or a mapping {image-name, version, if, push}");
  }
  if (Status valid = oci::ValidateRepositoryName(s.image_name); !valid.ok()) {
    c.Fail(n.IsMap() ? n["image-name"] : n, "snapshot image name: " + valid.message());
  }
  return s;
}

void ParseSnapshotStep(Ctx& c, const YAML::Node& n, Step& s) {
  if (!IsSnapshotAction(s.uses)) {
    c.Fail(n["uses"], "actions (`uses: " + s.uses +
                          "`) are not supported yet; use `run` (the snapshot actions "
                          "kiln/snapshot@v1 and depot/snapshot-action@v1 are)");
  }
  const YAML::Node with = n["with"];
  if (!with || !with.IsMap()) c.Fail(n, s.uses + " needs `with: {image: REF}`");
  CheckKeys(c, with, {"image"}, s.uses + " with");
  if (!with["image"]) c.Fail(with, s.uses + " needs `with: {image: REF}`");
  std::vector<std::string> refs = References(c, with["image"], "snapshot image");
  std::string joined;
  for (const auto& ref : refs) {
    CheckRemote(c, with["image"], ref, "snapshot image", false);
    joined += (joined.empty() ? "" : "\n") + ref;
  }
  s.with["image"] = joined;
  if (s.name.empty()) s.name = "Snapshot " + refs[0];
}

}  // namespace kiln::workflow

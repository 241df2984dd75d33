#include "images/remove.h"

#include <set>

#include "oci/reference.h"

namespace kiln::images {

Result<Removal> RemoveVersions(catalog::Catalog& catalog, const std::string& ref, bool force) {
  // "NAME:*" is kiln's own form for every version; Reference does not take '*' as a tag.
  bool all = ref.size() > 2 && ref.compare(ref.size() - 2, 2, ":*") == 0;
  std::string name = all ? ref.substr(0, ref.size() - 2) : ref;
  auto parsed = oci::Reference::Parse(name);
  if (!parsed.ok() || parsed->digest || parsed->IsDigestOnly())
    return NotFound("no custom image " + ref);
  std::string repo = parsed->Repository();
  ASSIGN_OR_RETURN(auto versions, catalog.List(repo));
  if (versions.empty()) return NotFound("no custom image " + repo);
  Removal r{repo, all || parsed->tag.empty(), {}};
  if (r.whole_image) {
    ASSIGN_OR_RETURN(r.removed, catalog.DeleteImage(repo, force));
    return r;
  }
  ASSIGN_OR_RETURN(catalog::VersionRecord rec, catalog.Resolve(repo, parsed->tag));
  ASSIGN_OR_RETURN(r.removed, catalog.DeleteVersions(repo, {rec.version}, force));
  return r;
}

Result<std::vector<catalog::VersionRecord>> PruneVersions(catalog::Catalog& catalog,
                                                          const std::string& image, int64_t now) {
  ASSIGN_OR_RETURN(auto versions, catalog.List(image));
  std::set<std::string> names;
  for (const auto& v : versions) names.insert(v.image);
  std::vector<catalog::VersionRecord> removed;
  for (const auto& name : names) {
    ASSIGN_OR_RETURN(auto r, catalog.Prune(name, now));
    removed.insert(removed.end(), r.begin(), r.end());
  }
  return removed;
}

}  // namespace kiln::images

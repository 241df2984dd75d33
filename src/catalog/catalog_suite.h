// The Catalog conformance suite (catalog_suite.cc, catalog_pins_suite.cc), run on every
// implementation: a parameterised test whose parameter opens a fresh, empty catalogue.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "testing/test_env.h"

namespace kiln::catalog {

using Strings = std::vector<std::string>;

struct CatalogKind {
  std::string name;
  // Opens a new, empty catalogue; `dir` is a scratch directory it may use.
  std::function<Result<std::unique_ptr<Catalog>>(const std::string& dir)> open;
};

class CatalogSuite : public ::testing::TestWithParam<CatalogKind> {
 protected:
  void SetUp() override;
  // Adds a version of `image` per `spec` ("" or "2.*") created at `created`; fails the test
  // if it is refused.
  VersionRecord Add(const std::string& image, const char* spec, int64_t created = 100);
  // "1.2.0+latest" for each version of `image`, newest first.
  std::vector<std::string> Tags(const std::string& image);

  testing::ScratchDir dir_;
  std::unique_ptr<Catalog> cat_;
  int n_ = 0;
};

}  // namespace kiln::catalog

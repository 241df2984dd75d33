// Plain aligned text tables for listings (`kiln image ls`, run summaries).
#pragma once

#include <string>
#include <vector>

namespace kiln {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns separated by at least two spaces; widths counted in UTF-8 code points.
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace kiln

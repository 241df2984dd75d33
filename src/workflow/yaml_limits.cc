#include "workflow/yaml_limits.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace kiln::workflow {
namespace {

struct Size {
  uint64_t nodes = 0;
  int depth = 0;  // of the deepest path below and including the node
};

// Thrown out of the handler to stop the parse at the first node past a limit.
struct LimitCrossed {
  YAML::Mark mark;
  std::string what;
};

class ExpansionCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override { Leaf(m, a); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                const std::string&) override {
    Leaf(m, a);
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t a) override {
    auto it = anchors_.find(a);
    Alias(m, it == anchors_.end() ? Size{1, 1} : it->second);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                       YAML::EmitterStyle::value) override {
    Open(m, a);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                  YAML::EmitterStyle::value) override {
    Open(m, a);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    YAML::Mark mark;
    YAML::anchor_t anchor;
    Size size;
  };

  void Leaf(const YAML::Mark& m, YAML::anchor_t a) {
    if (a) anchors_[a] = Size{1, 1};
    Count(m, 1);
    AddToParent(Size{1, 1});
  }
  void Alias(const YAML::Mark& m, Size s) {
    Count(m, s.nodes);
    if (static_cast<int>(stack_.size()) + s.depth > kMaxYamlDepth) {
      throw LimitCrossed{
          m, "nests deeper than " + std::to_string(kMaxYamlDepth) + " levels through aliases"};
    }
    AddToParent(s);
  }
  void Open(const YAML::Mark& m, YAML::anchor_t a) {
    if (static_cast<int>(stack_.size()) + 1 > kMaxYamlDepth) {
      throw LimitCrossed{m, "nests deeper than " + std::to_string(kMaxYamlDepth) + " levels"};
    }
    Count(m, 1);
    stack_.push_back(Frame{m, a, Size{1, 0}});
  }
  void Close() {
    Frame f = stack_.back();
    stack_.pop_back();
    f.size.depth += 1;
    if (f.anchor) anchors_[f.anchor] = f.size;
    AddToParent(f.size);
  }
  void Count(const YAML::Mark& m, uint64_t nodes) {
    total_ += nodes;
    if (total_ > kMaxYamlNodes) {
      throw LimitCrossed{m, "expands to more than " + std::to_string(kMaxYamlNodes) +
                                " YAML nodes (aliases count once per use)"};
    }
  }
  void AddToParent(Size s) {
    if (stack_.empty()) return;
    Size& parent = stack_.back().size;
    parent.nodes += s.nodes;
    parent.depth = std::max(parent.depth, s.depth);
  }

  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Size> anchors_;
  uint64_t total_ = 0;  // nodes so far, each alias counted as the size of its anchor's tree
};

}  // namespace

Status CheckYamlExpansion(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  ExpansionCounter counter;
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(counter);
  } catch (const LimitCrossed& e) {
    return InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                           std::to_string(e.mark.column + 1) + ": the workflow " + e.what);
  } catch (const YAML::Exception&) {
    return Status::Ok();  // the real parse reports it
  }
  return Status::Ok();
}

}  // namespace kiln::workflow

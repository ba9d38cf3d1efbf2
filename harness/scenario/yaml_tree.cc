#include "harness/scenario/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace parley::harness {
namespace {

// Thrown from inside the event handler to stop yaml-cpp early; caught in ParseYaml.
struct TreeError {
  YamlError error;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Scans the source of the scalar that starts at `node`'s position (after an anchor or a tag)
// and, if it is double-quoted, records its first \xHH escape with HH >= 0x80.
void FindHighEscape(std::string_view text, std::size_t pos, YamlNode* node) {
  int line = node->line;
  int column = node->column;
  auto advance = [&](std::size_t n) {
    for (std::size_t end = std::min(text.size(), pos + n); pos < end; ++pos) {
      if (text[pos] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
  };
  // Properties before the scalar: "&anchor", "!tag", each followed by blanks.
  while (pos < text.size() && (text[pos] == '&' || text[pos] == '!')) {
    std::size_t end = text.find_first_of(" \t\r\n", pos);
    advance((end == std::string_view::npos ? text.size() : end) - pos);
    while (pos < text.size() &&
           std::string_view(" \t\r\n").find(text[pos]) != std::string_view::npos)
      advance(1);
  }
  if (pos >= text.size() || text[pos] != '"') return;
  advance(1);
  while (pos < text.size() && text[pos] != '"') {
    if (text[pos] != '\\') {
      advance(1);
      continue;
    }
    if (pos + 3 < text.size() && text[pos + 1] == 'x') {
      int high = HexDigit(text[pos + 2]);
      int low = HexDigit(text[pos + 3]);
      if (high >= 8 && low >= 0) {
        node->high_escape = high * 16 + low;
        node->high_escape_line = line;
        node->high_escape_column = column;
        return;
      }
    }
    advance(2);  // the backslash and the character it escapes
  }
}

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(std::string_view text, const YamlLimits& limits, std::vector<YamlNode>* documents)
      : text_(text), limits_(limits), documents_(documents) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_->size() >= limits_.max_documents) {
      Fail(mark, "more than " + std::to_string(limits_.max_documents) + " documents");
    }
    has_root_ = false;
  }

  void OnDocumentEnd() override {
    YamlNode root;
    if (has_root_) root = std::move(root_);
    documents_->push_back(std::move(root));
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode node = Start(mark, YamlNode::Kind::kNull);
    Finish(std::move(node), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) Fail(mark, "alias to an unknown anchor");
    Count(mark, it->second.size);
    YamlNode copy = it->second;
    Relocate(&copy, mark);
    Attach(std::move(copy), mark);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode node = Start(mark, YamlNode::Kind::kScalar);
    node.scalar = value;
    // yaml-cpp tags plain scalars "?" and quoted or block scalars "!".
    node.quoted = tag == "!";
    if (!tag.empty() && tag != "?" && tag != "!") {
      Fail(mark, "tags such as '" + tag + "' are not supported");
    }
    if (node.quoted && mark.pos >= 0) {
      // yaml-cpp's positions count from after a byte order mark.
      std::size_t bom = text_.substr(0, 3) == "\xef\xbb\xbf" ? 3 : 0;
      FindHighEscape(text_, static_cast<std::size_t>(mark.pos) + bom, &node);
    }
    Finish(std::move(node), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor, YamlNode::Kind::kSequence);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor, YamlNode::Kind::kMap);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    YamlNode node;
    YAML::anchor_t anchor = 0;
    std::optional<YamlNode> pending_key;
  };

  [[noreturn]] static void Fail(const YAML::Mark& mark, std::string message) {
    throw TreeError{{mark.line + 1, mark.column + 1, std::move(message)}};
  }

  void Count(const YAML::Mark& mark, std::size_t nodes) {
    nodes_ += nodes;
    if (nodes_ > limits_.max_nodes) {
      Fail(mark,
           "more than " + std::to_string(limits_.max_nodes) + " nodes (after expanding aliases)");
    }
  }

  YamlNode Start(const YAML::Mark& mark, YamlNode::Kind kind) {
    Count(mark, 1);
    YamlNode node;
    node.kind = kind;
    node.line = mark.line + 1;
    node.column = mark.column + 1;
    return node;
  }

  // An alias stands where it is written: report its position, not the anchor's.
  static void Relocate(YamlNode* node, const YAML::Mark& mark) {
    node->line = mark.line + 1;
    node->column = mark.column + 1;
  }

  void Open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
            YamlNode::Kind kind) {
    if (!tag.empty() && tag != "?" && tag != "!") {
      Fail(mark, "tags such as '" + tag + "' are not supported");
    }
    if (stack_.size() >= limits_.max_depth) {
      Fail(mark, "nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    Frame frame;
    frame.node = Start(mark, kind);
    frame.anchor = anchor;
    stack_.push_back(std::move(frame));
  }

  void Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Finish(std::move(frame.node), frame.anchor);
  }

  void Finish(YamlNode node, YAML::anchor_t anchor) {
    YAML::Mark mark;
    mark.line = node.line - 1;
    mark.column = node.column - 1;
    if (anchor != 0) anchors_[anchor] = node;
    Attach(std::move(node), mark);
  }

  void Attach(YamlNode node, const YAML::Mark& mark) {
    if (stack_.empty()) {
      root_ = std::move(node);
      has_root_ = true;
      return;
    }
    Frame& parent = stack_.back();
    parent.node.size += node.size;
    if (parent.node.kind == YamlNode::Kind::kSequence) {
      parent.node.items.push_back(std::move(node));
      return;
    }
    if (!parent.pending_key) {
      if (node.kind != YamlNode::Kind::kScalar) {
        Fail(mark, "a mapping key must be a plain string, not " + DescribeKind(node));
      }
      for (const auto& [key, value] : parent.node.entries) {
        if (key.scalar == node.scalar) {
          Fail(mark, "duplicate key '" + node.scalar + "' (first at line " +
                         std::to_string(key.line) + ")");
        }
      }
      parent.pending_key = std::move(node);
      return;
    }
    parent.node.entries.push_back(YamlEntry{std::move(*parent.pending_key), std::move(node)});
    parent.pending_key.reset();
  }

  std::string_view text_;
  const YamlLimits& limits_;
  std::vector<YamlNode>* documents_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, YamlNode> anchors_;
  YamlNode root_;
  bool has_root_ = false;
  std::size_t nodes_ = 0;
};

}  // namespace

const YamlNode* YamlNode::Find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.scalar == key) return &v;
  }
  return nullptr;
}

std::string DescribeKind(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::kNull:
      return "nothing";
    case YamlNode::Kind::kScalar:
      return "a string";
    case YamlNode::Kind::kSequence:
      return "a list";
    case YamlNode::Kind::kMap:
      return "a mapping";
  }
  return "a value";
}

bool ParseYaml(std::string_view text, const YamlLimits& limits, std::vector<YamlNode>* documents,
               YamlError* error) {
  documents->clear();
  if (text.size() > limits.max_bytes) {
    *error = {1, 1,
              "the file is " + std::to_string(text.size()) + " bytes, more than the " +
                  std::to_string(limits.max_bytes) + " a scenario file may have"};
    return false;
  }
  if (text.find('\0') != std::string_view::npos) {
    *error = {1, 1, "the file contains a NUL byte; YAML text cannot"};
    return false;
  }
  try {
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    TreeBuilder builder(text, limits, documents);
    while (parser.HandleNextDocument(builder)) {
    }
    return true;
  } catch (const TreeError& e) {
    *error = e.error;
  } catch (const YAML::Exception& e) {
    *error = {e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1,
              e.msg};
  } catch (const std::exception& e) {
    *error = {0, 0, std::string("YAML error: ") + e.what()};
  }
  documents->clear();
  return false;
}

}  // namespace parley::harness

#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace graft::exports {

/// A small ONNX graph builder and serialiser (ModelProto in protobuf wire format, written by
/// hand: no protobuf or onnx library needed). Holds float32 initializers and nodes with int,
/// float and int-list attributes: enough for the convolutional networks Graft builds.
class OnnxGraph
{
public:
    struct Attribute
    {
        std::string name;
        enum class Kind { Int, Float, Ints } kind = Kind::Int;
        std::int64_t i = 0;
        float f = 0;
        std::vector<std::int64_t> ints;
    };

    static Attribute attr(std::string name, std::int64_t v);
    static Attribute attrF(std::string name, float v);
    static Attribute attrs(std::string name, std::vector<std::int64_t> v);

    /// Adds a float32 initializer (row-major data of `dims`); returns its name.
    std::string addFloat(const std::string &hint, const std::vector<std::int64_t> &dims,
                         const float *data);
    /// Adds an int64 initializer; returns its name.
    std::string addInt64(const std::string &hint, const std::vector<std::int64_t> &dims,
                         const std::vector<std::int64_t> &data);
    /// Adds a node; returns the name of its (first) output.
    std::string node(const std::string &opType, const std::vector<std::string> &inputs,
                     std::vector<Attribute> attributes = {}, const std::string &outputName = {});

    /// Graph input/output: float32 NCHW-style shapes; a dim of -1 is symbolic "N" (batch),
    /// -2 is symbolic "T" (sequence length).
    void addInput(const std::string &name, const std::vector<std::int64_t> &dims);
    void addOutput(const std::string &name, const std::vector<std::int64_t> &dims);
    void addMetadata(const std::string &key, const std::string &value);

    /// The serialised ModelProto (IR version 7, opset 13).
    std::string serialize(const std::string &graphName, const std::string &producerVersion) const;

    int nodeCount() const { return int(m_nodes.size()); }

private:
    struct Tensor
    {
        std::string name;
        std::vector<std::int64_t> dims;
        int dataType = 1; // 1 FLOAT, 7 INT64
        std::string raw;
    };
    struct Node
    {
        std::string op, name;
        std::vector<std::string> inputs, outputs;
        std::vector<Attribute> attributes;
    };
    struct ValueInfo
    {
        std::string name;
        std::vector<std::int64_t> dims;
    };
    std::string fresh(const std::string &hint);

    std::vector<Tensor> m_initializers;
    std::vector<Node> m_nodes;
    std::vector<ValueInfo> m_inputs, m_outputs;
    std::vector<std::pair<std::string, std::string>> m_metadata;
    int m_counter = 0;
};

} // namespace graft::exports

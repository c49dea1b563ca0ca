#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace graft::exports {

/// A small ONNX graph builder and serialiser (ModelProto in protobuf wire format, written by
/// hand: no protobuf or onnx library needed). Holds float32 and int64 initializers and nodes
/// with int, float and int-list attributes: enough for the networks Graft builds. Each part is
/// serialised as it is added.
class OnnxGraph
{
public:
    /// A node attribute (a serialised AttributeProto).
    struct Attribute
    {
        std::string bytes;
    };

    static Attribute attr(const std::string &name, std::int64_t v);
    static Attribute attrF(const std::string &name, float v);
    static Attribute attrs(const std::string &name, const std::vector<std::int64_t> &v);

    /// Adds a float32 initializer (row-major data of `dims`); returns its name.
    std::string
    addFloat(const std::string &hint, const std::vector<std::int64_t> &dims, const float *data);
    /// Adds an int64 initializer; returns its name.
    std::string addInt64(const std::string &hint,
                         const std::vector<std::int64_t> &dims,
                         const std::vector<std::int64_t> &data);
    /// Adds a node; returns the name of its output.
    std::string node(const std::string &opType,
                     const std::vector<std::string> &inputs,
                     const std::vector<Attribute> &attributes = {},
                     const std::string &outputName = {});

    /// Graph input/output: float32 NCHW-style shapes; a dim of -1 is symbolic "N" (batch),
    /// -2 is symbolic "T" (sequence length).
    void addInput(const std::string &name, const std::vector<std::int64_t> &dims);
    void addOutput(const std::string &name, const std::vector<std::int64_t> &dims);
    void addMetadata(const std::string &key, const std::string &value);

    /// The serialised ModelProto (IR version 7, opset 13).
    std::string serialize(const std::string &graphName, const std::string &producerVersion) const;

private:
    std::string fresh(const std::string &hint) { return hint + "_" + std::to_string(m_counter++); }
    std::string addTensor(const std::string &hint,
                          const std::vector<std::int64_t> &dims,
                          int dataType, // 1 FLOAT, 7 INT64
                          std::string_view raw);

    // Serialised graph and model fields, in the order serialize() writes them.
    std::string m_nodes, m_initializers, m_inputs, m_outputs, m_metadata;
    int m_counter = 0;
};

} // namespace graft::exports

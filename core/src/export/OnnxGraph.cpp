#include "graft/export/OnnxGraph.h"

#include <numeric>

namespace graft::exports {

namespace {

// onnx.proto field numbers, one enum per message.
enum class Model {
    IrVersion = 1,
    ProducerName = 2,
    ProducerVersion = 3,
    Graph = 7,
    Opset = 8,
    Metadata = 14
};
enum class Opset { Domain = 1, Version = 2 };
enum class Graph { Node = 1, Name = 2, Initializer = 5, Input = 11, Output = 12 };
enum class Node { Input = 1, Output = 2, Name = 3, OpType = 4, Attribute = 5 };
enum class Attr { Name = 1, F = 2, I = 3, Ints = 8, Type = 20 };
enum AttrType { TFloat = 1, TInt = 2, TInts = 7 };
enum class Tensor { Dims = 1, DataType = 2, Name = 8, RawData = 9 };
enum class ValueInfo { Name = 1, Type = 2 };
enum class Type { TensorType = 1 };
enum class TensorType { ElemType = 1, Shape = 2 };
enum class Shape { Dim = 1 };
enum class Dim { Value = 1, Param = 2 };
enum class Entry { Key = 1, Value = 2 };

// Protobuf wire format (https://protobuf.dev/programming-guides/encoding/); each helper returns
// one encoded field.
std::string varint(std::uint64_t v)
{
    std::string out;
    for (; v >= 0x80; v >>= 7)
        out.push_back(char((v & 0x7f) | 0x80));
    out.push_back(char(v));
    return out;
}

template<typename Field> std::string intField(Field field, std::int64_t v)
{
    return varint(std::uint64_t(field) << 3) + varint(std::uint64_t(v));
}

template<typename Field> std::string bytesField(Field field, std::string_view bytes)
{
    return (varint((std::uint64_t(field) << 3) | 2) + varint(bytes.size())).append(bytes);
}

template<typename Field> std::string floatField(Field field, float v)
{
    return varint((std::uint64_t(field) << 3) | 5).append(reinterpret_cast<const char *>(&v), 4);
}

/// A float32 tensor's ValueInfoProto.
std::string valueInfo(const std::string &name, const std::vector<std::int64_t> &dims)
{
    std::string shape;
    for (std::int64_t d : dims)
        shape += bytesField(Shape::Dim, d < 0 ? bytesField(Dim::Param, d == -2 ? "T" : "N")
                                              : intField(Dim::Value, d));
    const std::string tensorType =
        intField(TensorType::ElemType, 1) + bytesField(TensorType::Shape, shape);
    return bytesField(ValueInfo::Name, name) +
           bytesField(ValueInfo::Type, bytesField(Type::TensorType, tensorType));
}

} // namespace

OnnxGraph::Attribute OnnxGraph::attr(const std::string &name, std::int64_t v)
{
    return {bytesField(Attr::Name, name) + intField(Attr::I, v) + intField(Attr::Type, TInt)};
}

OnnxGraph::Attribute OnnxGraph::attrF(const std::string &name, float v)
{
    return {bytesField(Attr::Name, name) + floatField(Attr::F, v) + intField(Attr::Type, TFloat)};
}

OnnxGraph::Attribute OnnxGraph::attrs(const std::string &name, const std::vector<std::int64_t> &v)
{
    std::string bytes = bytesField(Attr::Name, name);
    for (std::int64_t i : v)
        bytes += intField(Attr::Ints, i);
    return {bytes + intField(Attr::Type, TInts)};
}

std::string OnnxGraph::addTensor(const std::string &hint,
                                 const std::vector<std::int64_t> &dims,
                                 int dataType,
                                 std::string_view raw)
{
    const std::string name = fresh(hint);
    std::string tensor;
    for (std::int64_t d : dims)
        tensor += intField(Tensor::Dims, d);
    tensor += intField(Tensor::DataType, dataType) + bytesField(Tensor::Name, name) +
              bytesField(Tensor::RawData, raw);
    m_initializers += bytesField(Graph::Initializer, tensor);
    return name;
}

std::string OnnxGraph::addFloat(const std::string &hint,
                                const std::vector<std::int64_t> &dims,
                                const float *data)
{
    const auto n = std::accumulate(dims.begin(), dims.end(), std::int64_t(1), std::multiplies<>());
    return addTensor(hint, dims, 1,
                     {reinterpret_cast<const char *>(data), size_t(n) * sizeof(float)});
}

std::string OnnxGraph::addInt64(const std::string &hint,
                                const std::vector<std::int64_t> &dims,
                                const std::vector<std::int64_t> &data)
{
    return addTensor(
        hint, dims, 7,
        {reinterpret_cast<const char *>(data.data()), data.size() * sizeof(std::int64_t)});
}

std::string OnnxGraph::node(const std::string &opType,
                            const std::vector<std::string> &inputs,
                            const std::vector<Attribute> &attributes,
                            const std::string &outputName)
{
    const std::string name = fresh(opType);
    const std::string output = outputName.empty() ? name + "_out" : outputName;
    std::string node;
    for (const auto &i : inputs)
        node += bytesField(Node::Input, i);
    node += bytesField(Node::Output, output) + bytesField(Node::Name, name) +
            bytesField(Node::OpType, opType);
    for (const Attribute &a : attributes)
        node += bytesField(Node::Attribute, a.bytes);
    m_nodes += bytesField(Graph::Node, node);
    return output;
}

void OnnxGraph::addInput(const std::string &name, const std::vector<std::int64_t> &dims)
{
    m_inputs += bytesField(Graph::Input, valueInfo(name, dims));
}

void OnnxGraph::addOutput(const std::string &name, const std::vector<std::int64_t> &dims)
{
    m_outputs += bytesField(Graph::Output, valueInfo(name, dims));
}

void OnnxGraph::addMetadata(const std::string &k, const std::string &v)
{
    m_metadata +=
        bytesField(Model::Metadata, bytesField(Entry::Key, k) + bytesField(Entry::Value, v));
}

std::string OnnxGraph::serialize(const std::string &graphName,
                                 const std::string &producerVersion) const
{
    const std::string graph =
        m_nodes + bytesField(Graph::Name, graphName) + m_initializers + m_inputs + m_outputs;
    const std::string opset = bytesField(Opset::Domain, "") + intField(Opset::Version, 13);
    return intField(Model::IrVersion, 7) + bytesField(Model::ProducerName, "Graft") +
           bytesField(Model::ProducerVersion, producerVersion) + bytesField(Model::Graph, graph) +
           bytesField(Model::Opset, opset) + m_metadata;
}

} // namespace graft::exports

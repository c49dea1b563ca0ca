#include "graft/export/OnnxGraph.h"

#include <cstring>

namespace graft::exports {

namespace {

// Protobuf wire format: https://protobuf.dev/programming-guides/encoding/
void varint(std::string &out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.push_back(char((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(char(v));
}

void key(std::string &out, int field, int wireType)
{
    varint(out, (std::uint64_t(field) << 3) | std::uint64_t(wireType));
}

void intField(std::string &out, int field, std::int64_t v)
{
    key(out, field, 0);
    varint(out, std::uint64_t(v));
}

void bytesField(std::string &out, int field, const std::string &bytes)
{
    key(out, field, 2);
    varint(out, bytes.size());
    out += bytes;
}

void floatField(std::string &out, int field, float v)
{
    key(out, field, 5);
    char b[4];
    std::memcpy(b, &v, 4);
    out.append(b, 4);
}

// onnx.proto field numbers.
namespace Model { enum { IrVersion = 1, ProducerName = 2, ProducerVersion = 3, Graph = 7, Opset = 8, Metadata = 14 }; }
namespace Opset { enum { Domain = 1, Version = 2 }; }
namespace Graph { enum { Node = 1, Name = 2, Initializer = 5, Input = 11, Output = 12 }; }
namespace NodeP { enum { Input = 1, Output = 2, Name = 3, OpType = 4, Attribute = 5 }; }
namespace Attr { enum { Name = 1, F = 2, I = 3, Ints = 8, Type = 20 }; enum { TFloat = 1, TInt = 2, TInts = 7 }; }
namespace TensorP { enum { Dims = 1, DataType = 2, Name = 8, RawData = 9 }; }
namespace ValueInfoP { enum { Name = 1, Type = 2 }; }
namespace TypeP { enum { TensorType = 1 }; }
namespace TensorTypeP { enum { ElemType = 1, Shape = 2 }; }
namespace ShapeP { enum { Dim = 1 }; }
namespace DimP { enum { Value = 1, Param = 2 }; }
namespace Entry { enum { Key = 1, Value = 2 }; }

std::string valueInfo(const std::string &name, const std::vector<std::int64_t> &dims)
{
    std::string shape;
    for (std::int64_t d : dims) {
        std::string dim;
        if (d < 0)
            bytesField(dim, DimP::Param, d == -2 ? "T" : "N");
        else
            intField(dim, DimP::Value, d);
        bytesField(shape, ShapeP::Dim, dim);
    }
    std::string tensorType;
    intField(tensorType, TensorTypeP::ElemType, 1);
    bytesField(tensorType, TensorTypeP::Shape, shape);
    std::string type;
    bytesField(type, TypeP::TensorType, tensorType);
    std::string out;
    bytesField(out, ValueInfoP::Name, name);
    bytesField(out, ValueInfoP::Type, type);
    return out;
}

} // namespace

OnnxGraph::Attribute OnnxGraph::attr(std::string name, std::int64_t v)
{
    Attribute a;
    a.name = std::move(name);
    a.kind = Attribute::Kind::Int;
    a.i = v;
    return a;
}

OnnxGraph::Attribute OnnxGraph::attrF(std::string name, float v)
{
    Attribute a;
    a.name = std::move(name);
    a.kind = Attribute::Kind::Float;
    a.f = v;
    return a;
}

OnnxGraph::Attribute OnnxGraph::attrs(std::string name, std::vector<std::int64_t> v)
{
    Attribute a;
    a.name = std::move(name);
    a.kind = Attribute::Kind::Ints;
    a.ints = std::move(v);
    return a;
}

std::string OnnxGraph::fresh(const std::string &hint)
{
    return hint + "_" + std::to_string(m_counter++);
}

std::string OnnxGraph::addFloat(const std::string &hint, const std::vector<std::int64_t> &dims,
                                const float *data)
{
    std::int64_t n = 1;
    for (std::int64_t d : dims)
        n *= d;
    Tensor t;
    t.name = fresh(hint);
    t.dims = dims;
    t.dataType = 1;
    t.raw.assign(reinterpret_cast<const char *>(data), size_t(n) * sizeof(float));
    m_initializers.push_back(std::move(t));
    return m_initializers.back().name;
}

std::string OnnxGraph::addInt64(const std::string &hint, const std::vector<std::int64_t> &dims,
                                const std::vector<std::int64_t> &data)
{
    Tensor t;
    t.name = fresh(hint);
    t.dims = dims;
    t.dataType = 7;
    t.raw.assign(reinterpret_cast<const char *>(data.data()), data.size() * sizeof(std::int64_t));
    m_initializers.push_back(std::move(t));
    return m_initializers.back().name;
}

std::string OnnxGraph::node(const std::string &opType, const std::vector<std::string> &inputs,
                            std::vector<Attribute> attributes, const std::string &outputName)
{
    Node n;
    n.op = opType;
    n.name = fresh(opType);
    n.inputs = inputs;
    n.outputs = {outputName.empty() ? n.name + "_out" : outputName};
    n.attributes = std::move(attributes);
    m_nodes.push_back(std::move(n));
    return m_nodes.back().outputs.front();
}

void OnnxGraph::addInput(const std::string &name, const std::vector<std::int64_t> &dims)
{
    m_inputs.push_back({name, dims});
}

void OnnxGraph::addOutput(const std::string &name, const std::vector<std::int64_t> &dims)
{
    m_outputs.push_back({name, dims});
}

void OnnxGraph::addMetadata(const std::string &k, const std::string &v)
{
    m_metadata.emplace_back(k, v);
}

std::string OnnxGraph::serialize(const std::string &graphName, const std::string &producerVersion) const
{
    std::string graph;
    for (const Node &n : m_nodes) {
        std::string node;
        for (const auto &i : n.inputs)
            bytesField(node, NodeP::Input, i);
        for (const auto &o : n.outputs)
            bytesField(node, NodeP::Output, o);
        bytesField(node, NodeP::Name, n.name);
        bytesField(node, NodeP::OpType, n.op);
        for (const Attribute &a : n.attributes) {
            std::string attr;
            bytesField(attr, Attr::Name, a.name);
            switch (a.kind) {
            case Attribute::Kind::Int:
                intField(attr, Attr::I, a.i);
                intField(attr, Attr::Type, Attr::TInt);
                break;
            case Attribute::Kind::Float:
                floatField(attr, Attr::F, a.f);
                intField(attr, Attr::Type, Attr::TFloat);
                break;
            case Attribute::Kind::Ints:
                for (std::int64_t v : a.ints)
                    intField(attr, Attr::Ints, v);
                intField(attr, Attr::Type, Attr::TInts);
                break;
            }
            bytesField(node, NodeP::Attribute, attr);
        }
        bytesField(graph, Graph::Node, node);
    }
    bytesField(graph, Graph::Name, graphName);
    for (const Tensor &t : m_initializers) {
        std::string tensor;
        for (std::int64_t d : t.dims)
            intField(tensor, TensorP::Dims, d);
        intField(tensor, TensorP::DataType, t.dataType);
        bytesField(tensor, TensorP::Name, t.name);
        bytesField(tensor, TensorP::RawData, t.raw);
        bytesField(graph, Graph::Initializer, tensor);
    }
    for (const ValueInfo &v : m_inputs)
        bytesField(graph, Graph::Input, valueInfo(v.name, v.dims));
    for (const ValueInfo &v : m_outputs)
        bytesField(graph, Graph::Output, valueInfo(v.name, v.dims));

    std::string model;
    intField(model, Model::IrVersion, 7);
    bytesField(model, Model::ProducerName, "Graft");
    bytesField(model, Model::ProducerVersion, producerVersion);
    bytesField(model, Model::Graph, graph);
    std::string opset;
    bytesField(opset, Opset::Domain, "");
    intField(opset, Opset::Version, 13);
    bytesField(model, Model::Opset, opset);
    for (const auto &[k, v] : m_metadata) {
        std::string entry;
        bytesField(entry, Entry::Key, k);
        bytesField(entry, Entry::Value, v);
        bytesField(model, Model::Metadata, entry);
    }
    return model;
}

} // namespace graft::exports

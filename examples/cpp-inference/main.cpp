// Runs a model exported by Graft (TorchScript file + model.json beside it) on image files,
// with only OpenCV and LibTorch: no Graft library. Prints one JSON line per image:
//   {"file": "...", "label": "ants", "index": 0, "probability": 0.97}
// Usage: graft-infer MODEL.pt IMAGE...   (reads MODEL.json from the same folder)
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/script.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace {

struct ModelInfo
{
    std::vector<std::string> labels;
    int size = 224;
    std::string resize = "squash";
    double cropFraction = 0.875;
    std::string scaling = "mean-std";
    float mean[3] = {0.485f, 0.456f, 0.406f};
    float std[3] = {0.229f, 0.224f, 0.225f};
    bool bgr = false;
};

std::string sidecarPath(const std::string &model)
{
    const auto slash = model.find_last_of('/');
    const auto dot = model.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return model + ".json";
    return model.substr(0, dot) + ".json";
}

bool readModelJson(const std::string &path, ModelInfo *info)
{
    cv::FileStorage fs(path, cv::FileStorage::READ | cv::FileStorage::FORMAT_JSON);
    if (!fs.isOpened())
        return false;
    if (static_cast<std::string>(fs["format"]) != "graft-model")
        return false;
    for (const auto &l : fs["labels"])
        info->labels.push_back(static_cast<std::string>(l));
    const cv::FileNode pre = fs["preprocessing"];
    info->size = static_cast<int>(pre["inputSize"]);
    info->resize = static_cast<std::string>(pre["resize"]);
    info->cropFraction = static_cast<double>(pre["cropFraction"]);
    info->scaling = static_cast<std::string>(pre["scaling"]);
    info->bgr = static_cast<int>(pre["bgr"]) != 0;
    for (int c = 0; c < 3; ++c) {
        info->mean[c] = static_cast<float>(pre["mean"][c]);
        info->std[c] = static_cast<float>(pre["std"][c]);
    }
    return !info->labels.empty() && info->size > 0;
}

cv::Mat resized(const cv::Mat &m, int w, int h)
{
    cv::Mat out;
    const bool shrinking = w < m.cols || h < m.rows;
    cv::resize(m, out, cv::Size(w, h), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return out;
}

// 8-bit RGB image -> size x size, following model.json's resize policy.
cv::Mat fit(const cv::Mat &rgb, const ModelInfo &info)
{
    const int s = info.size;
    if (info.resize == "center-crop") {
        const double shorter = std::min(rgb.cols, rgb.rows);
        const double target = s / info.cropFraction;
        const int w = std::max(s, int(std::lround(rgb.cols * target / shorter)));
        const int h = std::max(s, int(std::lround(rgb.rows * target / shorter)));
        const cv::Mat r = resized(rgb, w, h);
        return r(cv::Rect((w - s) / 2, (h - s) / 2, s, s)).clone();
    }
    if (info.resize == "pad") {
        const double longer = std::max(rgb.cols, rgb.rows);
        const int w = std::max(1, int(std::lround(rgb.cols * s / longer)));
        const int h = std::max(1, int(std::lround(rgb.rows * s / longer)));
        cv::Mat canvas(s, s, CV_8UC3,
                       cv::Scalar(info.mean[0] * 255, info.mean[1] * 255, info.mean[2] * 255));
        resized(rgb, w, h).copyTo(canvas(cv::Rect((s - w) / 2, (s - h) / 2, w, h)));
        return canvas;
    }
    return resized(rgb, s, s);
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc < 3) {
        std::cerr << "usage: graft-infer MODEL.pt IMAGE...\n";
        return 1;
    }
    const std::string modelPath = argv[1];
    ModelInfo info;
    if (!readModelJson(sidecarPath(modelPath), &info)) {
        std::cerr << sidecarPath(modelPath) << ": not a Graft model.json\n";
        return 2;
    }
    torch::jit::Module model;
    try {
        model = torch::jit::load(modelPath);
    } catch (const std::exception &e) {
        std::cerr << modelPath << ": " << e.what() << "\n";
        return 2;
    }
    model.eval();
    torch::NoGradGuard noGrad;
    int failures = 0;
    for (int i = 2; i < argc; ++i) {
        // IMREAD_COLOR applies the EXIF orientation, as Graft does.
        const cv::Mat bgr = cv::imread(argv[i], cv::IMREAD_COLOR);
        if (bgr.empty()) {
            std::cerr << argv[i] << ": cannot decode\n";
            ++failures;
            continue;
        }
        cv::Mat rgb;
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB); // the model.json "bgr" flag is applied below
        const cv::Mat img = fit(rgb, info);
        const int s = info.size;
        torch::Tensor x = torch::empty({1, 3, s, s});
        float *dst = x.data_ptr<float>();
        for (int y = 0; y < s; ++y)
            for (int xx = 0; xx < s; ++xx) {
                const cv::Vec3b px = img.at<cv::Vec3b>(y, xx);
                for (int c = 0; c < 3; ++c) {
                    const float v = px[info.bgr ? 2 - c : c];
                    float out;
                    if (info.scaling == "minus-one-to-one")
                        out = v / 127.5f - 1.f;
                    else if (info.scaling == "zero-to-one")
                        out = v / 255.f;
                    else
                        out = (v / 255.f - info.mean[c]) / info.std[c];
                    dst[(c * s + y) * s + xx] = out;
                }
            }
        const torch::Tensor p = torch::softmax(model.forward({x}).toTensor(), 1)[0];
        const int k = static_cast<int>(p.argmax().item<std::int64_t>());
        std::printf("{\"file\": \"%s\", \"label\": \"%s\", \"index\": %d, \"probability\": %.6f}\n",
                    argv[i], info.labels.at(size_t(k)).c_str(), k, p[k].item<double>());
    }
    return failures == 0 ? 0 : 3;
}

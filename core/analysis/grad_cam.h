#pragma once

#include "models/transfer_model.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace tl {

/// Class-activation maps of a batch of images (Selvaraju et al., Grad-CAM).
struct GradCam {
  std::string layer;      ///< the layer the maps were read at, as resolved (see grad_cam)
  torch::Tensor maps;     ///< float [N, H, W] at the input's size, each in [0, 1]
  torch::Tensor classes;  ///< int64 [N]: the class each map explains
  torch::Tensor logits;   ///< [N, classes]: the model's output for the images
};

/// The default Grad-CAM layer: the last layer whose activations are a
/// spatial map [N, C, h, w], i.e. the last convolutional block before global
/// pooling ("features.2.3" for small_cnn, "layer4.1" for the ResNets).
std::string default_grad_cam_layer(TransferModelImpl& model);

/// Every layer Grad-CAM can read in `model`: the probe points whose
/// activations are a spatial map [N, C, h, w], in forward order (the last one
/// is default_grad_cam_layer). Runs one forward pass per point on a blank
/// image, in eval mode (restored).
std::vector<std::string> grad_cam_layers(TransferModelImpl& model);

/// Grad-CAM of `images` [N, C, H, W] (normalised as the model expects) at
/// `layer` (a probe point, see probe/probe_point.h; "" = default_grad_cam_layer)
/// for `classes` [N] (undefined = each image's predicted class).
///
/// With autograd: the layer's activation A is captured as a leaf, the summed
/// logits of the chosen classes are differentiated with respect to it, each
/// channel's weight is the spatial mean of its gradient, and the map is
/// ReLU(Σ_k weight_k · A_k), upsampled bilinearly (align_corners false) to
/// H × W and divided by its maximum (a map that is 0 everywhere stays 0).
///
/// The model runs in eval mode (restored afterwards) with gradients on
/// whatever the caller's grad mode. The last block's pooled output ("features.2",
/// "layer4") means its spatial output before the pooling. A layer inside a
/// block that is a chain is read by swapping a capturing module into the chain
/// for the one forward pass, so do not run the same model on another thread
/// meanwhile. Throws ConfigError naming the layer when it cannot be read or
/// gives no spatial map, std::invalid_argument for images or classes that do
/// not fit the model.
GradCam grad_cam(TransferModelImpl& model, const torch::Tensor& images, const torch::Tensor& classes = {},
                 const std::string& layer = "");

}  // namespace tl

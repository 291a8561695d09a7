"""The image networks: a small CNN trained from scratch, a residual network from torchvision's
ResNet with a stem for small images, and a torchvision ResNet loaded from a pretrained
checkpoint with a new head."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from dlcheck.models.images.torchvision_import import torchvision


def _conv_block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class SmallCNN(nn.Module):
    """Three stages of two 3x3 convolutions with batch norm (channels c, 2c, 4c), max pooling
    between them, global average pooling, dropout and a linear head."""

    def __init__(self, in_channels: int, n_classes: int, channels: int = 32,
                 dropout: float = 0.2) -> None:
        super().__init__()
        c = channels
        self.features = nn.Sequential(
            _conv_block(in_channels, c), _conv_block(c, c), nn.MaxPool2d(2),
            _conv_block(c, 2 * c), _conv_block(2 * c, 2 * c), nn.MaxPool2d(2),
            _conv_block(2 * c, 4 * c), _conv_block(4 * c, 4 * c),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(4 * c, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def small_image_resnet(in_channels: int, n_classes: int, channels: int = 32,
                       dropout: float = 0.2) -> nn.Module:
    """torchvision's ResNet with one basic block per stage (a ResNet-10) and widths c, 2c, 4c,
    8c, with the stem of the CIFAR ResNets (He et al. 2016, section 4.2): a 3x3 convolution of
    stride 1 and no max pooling, since a 7x7 stride-2 stem and pooling would shrink a 28-pixel
    image to 7 pixels before the first block."""
    resnet = torchvision().models.resnet
    model = resnet.ResNet(resnet.BasicBlock, [1, 1, 1, 1], num_classes=n_classes)
    widths = [channels, 2 * channels, 4 * channels, 8 * channels]
    model.inplanes = widths[0]
    model.conv1 = nn.Conv2d(in_channels, widths[0], 3, stride=1, padding=1, bias=False)
    model.bn1 = nn.BatchNorm2d(widths[0])
    model.maxpool = nn.Identity()
    model.inplanes = widths[0]
    for i, width in enumerate(widths, 1):
        setattr(model, f"layer{i}", model._make_layer(resnet.BasicBlock, width, 1,
                                                      stride=1 if i == 1 else 2))
    model.fc = nn.Sequential(nn.Dropout(dropout), nn.Linear(widths[-1], n_classes))
    return model


def pretrained_resnet(weights: str | Path, n_classes: int, dropout: float = 0.2) -> nn.Module:
    """The torchvision ResNet whose checkpoint `weights` holds (ResNet-18/34 with basic blocks,
    50/101/152 with bottlenecks, told apart by the checkpoint's keys), its weights loaded, and a
    new head for `n_classes`. Inputs are 3-channel images normalised as ImageNet's."""
    state = torch.load(weights, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    if not isinstance(state, dict) or "conv1.weight" not in state:
        raise ValueError(f"{Path(weights).name} is not a torchvision ResNet checkpoint (no "
                         "conv1.weight)")
    resnet = torchvision().models.resnet
    bottleneck = "layer1.0.conv3.weight" in state
    layers = [1 + max(int(k.split(".")[1]) for k in state if k.startswith(f"layer{i}."))
              for i in range(1, 5)]
    model = resnet.ResNet(resnet.Bottleneck if bottleneck else resnet.BasicBlock, layers)
    missing, unexpected = model.load_state_dict(
        {k: v for k, v in state.items() if not k.startswith("fc.")}, strict=False)
    if unexpected or any(not k.startswith("fc.") for k in missing):
        raise ValueError(f"{Path(weights).name} does not match a torchvision ResNet: "
                         f"{len(missing)} missing and {len(unexpected)} unexpected weights")
    model.fc = nn.Sequential(nn.Dropout(dropout), nn.Linear(model.fc.in_features, n_classes))
    return model

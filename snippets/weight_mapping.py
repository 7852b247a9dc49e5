"""Put the hand-made model's 12 parameters into nn.LSTM(1, 1)."""
import torch
import torch.nn as nn


# --8<-- [start:mapping]
def copy_hand_weights(hand, lstm: nn.LSTM) -> nn.LSTM:
    """Copy LSTMbyHand's 12 parameters into a single-layer nn.LSTM with input and hidden size 1."""
    if (lstm.input_size, lstm.hidden_size) != (1, 1):
        raise ValueError("手搓模型每步只有 1 个输入，短期记忆的长度也是 1，只能装进 nn.LSTM(input_size=1, hidden_size=1)，"
                         f"而这里是 input_size={lstm.input_size}, hidden_size={lstm.hidden_size}")
    if lstm.num_layers != 1 or lstm.bidirectional or lstm.proj_size or not lstm.bias:
        raise ValueError("只支持单层、单向、带 bias、没有 proj_size 的 nn.LSTM")

    # nn.LSTM 把四组参数按 i, f, g, o（输入门、遗忘门、候选记忆、输出门）的顺序叠在一起
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.stack([hand.wpr2, hand.wlr2, hand.wp2, hand.wo2]).view(4, 1))
        lstm.weight_hh_l0.copy_(torch.stack([hand.wpr1, hand.wlr1, hand.wp1, hand.wo1]).view(4, 1))
        lstm.bias_ih_l0.copy_(torch.stack([hand.bpr1, hand.blr1, hand.bp1, hand.bo1]))
        lstm.bias_hh_l0.zero_()  # 手搓版每个门只有一个 bias
    return lstm
# --8<-- [end:mapping]

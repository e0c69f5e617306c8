import { loadModelFile } from '../../shared/tflite';
import { costTotals, opCosts } from '../../shared/analyze';
import { describeWithReference, referencePath } from '../helpers/reference';
import { buildModel } from './helpers';

describe('op cost', () => {
  // input [1,5,5,2] -> CONV_2D 3x3, 3 filters, SAME, stride 1 -> [1,5,5,3]
  //                 -> DEPTHWISE_CONV_2D 3x3, multiplier 2, stride 2 -> [1,3,3,6]
  //                 -> AVERAGE_POOL_2D 3x3 VALID -> [1,1,1,6] -> RESHAPE [1,6] -> FC 4 units -> [1,4]
  const model = buildModel({
    tensors: [
      { shape: [1, 5, 5, 2] }, // 0 input
      { shape: [3, 3, 3, 2], constant: true }, // 1 conv filter OHWI
      { shape: [3], constant: true, type: 'INT32' }, // 2 conv bias
      { shape: [1, 5, 5, 3] }, // 3
      { shape: [1, 3, 3, 6], constant: true }, // 4 depthwise filter 1HWC
      { shape: [6], constant: true, type: 'INT32' }, // 5
      { shape: [1, 3, 3, 6] }, // 6
      { shape: [1, 1, 1, 6] }, // 7
      { shape: [2], constant: true, type: 'INT32' }, // 8 reshape shape
      { shape: [1, 6] }, // 9
      { shape: [4, 6], constant: true }, // 10 FC weights
      { shape: [1, 4] }, // 11 output
    ],
    ops: [
      { op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3] },
      { op: 'DEPTHWISE_CONV_2D', inputs: [3, 4, 5], outputs: [6] },
      {
        op: 'AVERAGE_POOL_2D',
        inputs: [6],
        outputs: [7],
        options: { $type: 'Pool2DOptions', filter_width: 3, filter_height: 3 },
      },
      { op: 'RESHAPE', inputs: [7, 8], outputs: [9] },
      { op: 'FULLY_CONNECTED', inputs: [9, 10, -1], outputs: [11] },
    ],
    inputs: [0],
    outputs: [11],
  });

  it('counts MACs by hand-checked formulas', () => {
    const costs = opCosts(model);
    // conv: 25 outputs x 3 channels, each 3x3x2 products = 1350
    expect(costs[0].macs).toBe(1350);
    // depthwise: 9 outputs x 6 channels, each 3x3 products = 486
    expect(costs[1].macs).toBe(486);
    // pool: 6 outputs, each reads a 3x3 window: no MACs, 54 element ops
    expect(costs[2].macs).toBe(0);
    expect(costs[2].elementOps).toBe(54);
    expect(costs[3].macs).toBe(0);
    // FC: 4 units x 6 inputs = 24
    expect(costs[4].macs).toBe(24);
    expect(costs.map((c) => c.family)).toEqual(['conv', 'depthwise', 'pool', 'move', 'fc']);
  });

  it('counts parameters once and activation bytes once', () => {
    const costs = opCosts(model);
    expect(costs[0].params).toBe(54 + 3);
    expect(costs[0].paramBytes).toBe(54 + 12);
    expect(costs[0].inputBytes).toBe(50);
    expect(costs[0].outputBytes).toBe(75);
    const totals = costTotals(model, costs);
    expect(totals.macs).toBe(1350 + 486 + 24);
    expect(totals.params).toBe(54 + 3 + 54 + 6 + 2 + 24);
    expect(totals.paramBytes).toBe(54 + 12 + 54 + 24 + 8 + 24);
    expect(totals.activationBytes).toBe(50 + 75 + 54 + 6 + 6 + 4);
  });
});

describeWithReference('op cost on reference models', () => {
  it('kws01: 2,656,768 MACs (conv 10x4 stem 320,000; 4 x (72,000 dw + 512,000 pw); FC 768)', () => {
    const { model } = loadModelFile(referencePath('mlperf-tiny/kws01_ref_int8.tflite'));
    const costs = opCosts(model);
    expect(costs[0].macs).toBe(25 * 5 * 64 * 10 * 4);
    expect(costTotals(model, costs).macs).toBe(320000 + 4 * (72000 + 512000) + 768);
  });

  it('ad01: FC-only autoencoder, 264,192 MACs and as many weights', () => {
    const { model } = loadModelFile(referencePath('mlperf-tiny/ad01_int8.tflite'));
    const totals = costTotals(model, opCosts(model));
    expect(totals.macs).toBe(264192);
    // weights plus int32 biases: eight layers of 128 units, one of 8, one of 640
    expect(totals.params).toBe(264192 + 128 * 8 + 8 + 640);
  });
});

/** dawnLogLines (src/gpu/dawn-log.ts): what of Dawn's adapter-discovery output reaches a terminal. */
import { describe, expect, it } from 'vitest';
import { dawnLogLines } from '../../../src/gpu/dawn-log.js';

// Copied from this machine's stderr (Dawn 0.6.2 on lavapipe, and with VK_DRIVER_FILES pointing nowhere).
const LIMIT_WARNINGS = [
  'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.',
  'Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.',
].join('\n');
const NO_VULKAN = [
  'Warning: loader_get_json: Failed to open JSON file /nonexistent.json',
  'Warning: vkCreateInstance: Found no drivers!',
  'Warning: vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER',
  '    at CheckVkSuccessImpl (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/VulkanError.cpp:106)',
  '',
].join('\n');

describe('dawnLogLines', () => {
  it('drops the two dynamic-buffer limit warnings', () => {
    expect(dawnLogLines(`${LIMIT_WARNINGS}\n`)).toEqual([]);
  });

  it('turns the no-Vulkan dump into one line naming the failure, without the build path', () => {
    expect(dawnLogLines(NO_VULKAN)).toEqual(['WebGPU unavailable: no usable Vulkan driver (vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER)']);
  });

  it('keeps anything else, in order (real errors still show)', () => {
    const other = 'Error: something Dawn has not said before';
    expect(dawnLogLines(`${LIMIT_WARNINGS}\n${other}\nWarning: maxDynamicUniformBuffersPerPipelineLayout is fine\n`)).toEqual([
      other,
      'Warning: maxDynamicUniformBuffersPerPipelineLayout is fine',
    ]);
    expect(dawnLogLines(`${NO_VULKAN}${other}\n`)).toEqual([expect.stringMatching(/^WebGPU unavailable/), other]);
  });
});

import {
  PluginError,
  type PluginMetadata,
  PluginValidationError,
  type PluginValidationResult,
  type PluginValidatorLike,
  readManifest,
} from '@agentplug/models';

/**
 * Reads the plugin.json of an extracted archive or a plugin folder.
 * @throws PluginError ARCHIVE_UNSAFE (no plugin.json at its root), MANIFEST_INVALID
 */
export async function readExtractedManifest(folder: string): Promise<PluginMetadata> {
  try {
    return (await readManifest(folder)).manifest;
  } catch (error) {
    if (PluginError.is(error, 'MANIFEST_NOT_FOUND')) {
      throw new PluginError('ARCHIVE_UNSAFE', 'the archive has no plugin.json at its root', {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Runs the validator on a plugin folder and refuses a plugin it rejects.
 * @throws PluginValidationError VALIDATION_FAILED (with the report), PluginError VALIDATION_FAILED (the validator itself failed)
 */
export async function validatePluginFolder(
  validator: PluginValidatorLike,
  folder: string,
  manifest: PluginMetadata,
): Promise<PluginValidationResult> {
  let result: PluginValidationResult;
  try {
    result = await validator.validatePlugin(folder, manifest);
  } catch (error) {
    if (PluginError.is(error)) throw error;
    throw new PluginError('VALIDATION_FAILED', `the validator failed on ${manifest.plugin_id}`, {
      cause: error,
    });
  }
  if (!result.valid) {
    throw new PluginValidationError(
      `${manifest.plugin_id} ${manifest.version} failed validation: ${result.errors.join('; ')}`,
      result,
      { details: { pluginId: manifest.plugin_id, version: manifest.version } },
    );
  }
  return result;
}

import type { DemoContext, DemoStep } from '../demo-context';
import { trackDownloadProgress } from '../marketplace/track-download-progress';

/** Plugins installed with `install()` after the calculator, each with its dependencies. */
const MORE_PLUGINS = [
  'com.example.hello',
  'com.example.text-tools',
  'com.example.redact',
  'com.example.planner',
];

/**
 * Step 3: the seed's two-step flow for the weather integration (download with progress, verify,
 * validate, install), then `install()` for the calculator, which resolves its mathlib dependency
 * against the marketplace (2.1.0 satisfies >=2.0.0; 1.4.0 does not) and installs it first.
 */
export const installFromMarketplaceStep: DemoStep = {
  number: 3,
  title: 'Download, verify, validate and install (@agentplug/registry-client, @agentplug/validator)',
  async run(context: DemoContext): Promise<void> {
    const { output, registry, validator } = context;
    if (!registry || !validator) throw new Error('no registry client (step 1 did not run)');
    const progress = trackDownloadProgress(output);

    const weatherFolder = await registry.downloadPlugin('com.example.weather', {
      onProgress: progress.onProgress,
    });
    progress.flush();
    output.line(
      "verified: the signed metadata (timestamp, snapshot, the plugin's targets), then the archive size and sha256 against its targets",
    );
    const report = await validator.validatePlugin(weatherFolder);
    output.line(
      `validated com.example.weather: valid ${report.valid}, security score ${report.securityScore}/100, risk ${report.riskLevel}`,
    );
    for (const finding of report.findings) {
      output.line(
        `  finding ${finding.code} (${finding.capability}, ${finding.severity}) at ${finding.file}:${finding.line}: ${finding.message}`,
      );
    }
    for (const warning of report.warnings) output.line(`  warning: ${warning}`);
    await registry.installPlugin('com.example.weather', weatherFolder);
    output.line('installed com.example.weather (staged, then renamed into place atomically)');
    output.line();

    const mathlib = await registry.getPluginInfo('com.example.mathlib');
    output.line(
      `install com.example.calculator: needs com.example.mathlib >=2.0.0; the marketplace has ${mathlib.versions
        .map((version) => version.version)
        .join(' and ')}`,
    );
    const calculator = await registry.install('com.example.calculator', { onProgress: progress.onProgress });
    progress.flush();
    output.line(
      `installed, dependencies first: ${calculator.installed.map((plugin) => `${plugin.pluginId} ${plugin.version}`).join(', ')}`,
    );
    for (const warning of calculator.warnings) output.line(`  warning: ${warning}`);

    for (const pluginId of MORE_PLUGINS)
      await registry.install(pluginId, { onProgress: progress.onProgress });
    progress.flush();

    const lockFile = await registry.readLockFile();
    const installed = await registry.listInstalledPlugins();
    output.line();
    output.line(`installed in ${registry.pluginDirectory} (recorded in its lock file):`);
    const rows: string[][] = [];
    for (const manifest of installed) {
      const entry = lockFile.plugins[manifest.plugin_id];
      const validation = await validator.validatePlugin(
        `${registry.pluginDirectory}/${manifest.plugin_id}`,
        manifest,
      );
      rows.push([
        manifest.plugin_id,
        manifest.version,
        entry ? `${entry.sha256.slice(0, 12)}…` : '-',
        `${validation.securityScore}`,
        validation.riskLevel,
        String(validation.findings.length),
      ]);
    }
    output.table(
      [
        { heading: 'plugin id' },
        { heading: 'version' },
        { heading: 'sha256' },
        { heading: 'score', align: 'right' },
        { heading: 'risk' },
        { heading: 'findings', align: 'right' },
      ],
      rows,
    );
  },
};

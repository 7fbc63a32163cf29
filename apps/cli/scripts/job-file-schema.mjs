// The job-file JSON Schema (schema/job-file.schema.json), made from the product specs of `@gm/products`: the
// product codes and every product's options come from the specs, the rest is the job file's own shape. The
// schema is generated (by compile-schema.mjs), never written by hand.
import {
  OPERATION_TYPES,
  PRODUCT_SPEC_LIST,
  productCodesInWords,
  productOptionProperties,
} from '@gm/products';

/** `a, b or c`. */
const inWords = (words) =>
  words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;

/** The options every job takes, whatever its product. */
const jobProperties = (specs, operations) => ({
  name: {
    type: 'string',
    description: 'Job name, unique in the file; other jobs name it in `dependsOn`.',
    minLength: 1,
  },
  product: {
    type: 'string',
    description: `Product code: ${productCodesInWords(specs)}.`,
    enum: specs.map((spec) => spec.code),
  },
  appVersion: {
    type: 'string',
    description: 'Product version, as `gm products --type <product>` lists it.',
    minLength: 1,
  },
  file: {
    type: 'string',
    description: 'The scene file to run, relative to the project folder (for example `scene.blend`).',
    minLength: 1,
  },
  operation: {
    type: 'string',
    description: `Operation: ${operations[0]} (default), ${inWords(operations.slice(1))}, as the product supports.`,
    minLength: 1,
    enum: operations,
  },
  frames: {
    type: 'string',
    description:
      'Frame range: `start [end] [step]`, comma separated groups (for example `1 24` or `1 100 2,200`).',
    minLength: 1,
  },
  instances: {
    type: 'integer',
    minimum: 1,
    description: 'Requested number of machines running at once.',
  },
  machineType: {
    type: 'string',
    description: 'Machine type id from `gm machines <product> <operation>`; the account default when absent.',
  },
  plugins: {
    type: 'array',
    description: 'Plugin codes (for example `redshift`), optionally `code:version`.',
    items: {
      type: 'string',
      minLength: 1,
    },
  },
  gpu: {
    type: 'boolean',
    description: 'Whether the job needs a GPU machine.',
  },
  dependsOn: {
    type: 'array',
    description: 'Names of jobs in this file that must finish before this one starts.',
    items: {
      type: 'string',
      minLength: 1,
    },
  },
  budget: {
    $ref: '#/$defs/budget',
  },
  params: {
    type: 'object',
    description: 'Extra job parameters passed to the service as they are (snake_case wire names).',
    additionalProperties: true,
  },
});

/**
 * The job-file JSON Schema of the given product specs (by default those of `@gm/products`).
 *
 * @param {readonly import('@gm/products').ProductSpec[]} specs
 * @param {readonly string[]} operations the operation types, the default first
 */
export function jobFileSchema(specs = PRODUCT_SPEC_LIST, operations = Object.keys(OPERATION_TYPES)) {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://gridmarkets.local/schemas/gm/job-file.schema.json',
    title: 'gm job file',
    description: 'A GridMarkets Envoy project and its jobs, for `gm validate` and `gm submit`.',
    type: 'object',
    required: ['jobs'],
    additionalProperties: false,
    properties: {
      $schema: {
        type: 'string',
        description: 'The JSON Schema of this file.',
      },
      name: {
        type: 'string',
        description:
          'Project name, also the remote folder name, which Envoy makes folders of on Windows too: none of / \\ < > : " | ? * or control characters; the folder\'s name when absent.',
        minLength: 1,
        pattern: '^[^/\\\\<>:"|?*\\u0000-\\u001f\\u007f]+$',
      },
      folder: {
        type: 'string',
        description: "The project folder, relative to this file (default: the file's folder).",
      },
      files: {
        type: 'array',
        description:
          'Files and folders to upload, relative to the project folder (default: the whole folder but the job file itself, which is local configuration).',
        items: {
          type: 'string',
          minLength: 1,
        },
      },
      submissionName: {
        type: 'string',
        description: 'Submission name; a timestamp when absent.',
        minLength: 1,
      },
      outputFolderName: {
        type: 'string',
        description: 'Results folder name (under render_results); the submission name when absent.',
        minLength: 1,
      },
      autoDownload: {
        type: 'boolean',
        description: 'Download results automatically (default true).',
      },
      watchFiles: {
        type: 'array',
        description:
          'Where results are downloaded; by default everything under the results folder goes to `<folder>/gm_results`.',
        items: {
          $ref: '#/$defs/watchFile',
        },
      },
      houdini: {
        $ref: '#/$defs/houdini',
      },
      jobs: {
        type: 'array',
        minItems: 1,
        description: 'The jobs of the project.',
        items: {
          $ref: '#/$defs/job',
        },
      },
    },
    $defs: {
      budget: {
        type: 'object',
        description: 'Credit budget: what happens when the job has consumed `value` credits.',
        required: ['value', 'action'],
        additionalProperties: false,
        properties: {
          value: {
            type: 'number',
            exclusiveMinimum: 0,
            description: 'Credits.',
          },
          action: {
            type: 'string',
            enum: ['stop', 'suspend', 'alert'],
            description: 'stop the job, suspend it (running tasks finish), or send an email alert.',
          },
        },
      },
      watchFile: {
        type: 'object',
        required: ['pattern', 'folder'],
        additionalProperties: false,
        properties: {
          pattern: {
            type: 'string',
            description:
              'Regular expression over remote paths; `{results}` stands for the remote results folder.',
            minLength: 1,
          },
          folder: {
            type: 'string',
            description: 'Local folder to download matches into, relative to this file.',
            minLength: 1,
          },
        },
      },
      houdini: {
        type: 'object',
        description: 'Houdini project parameters shared by all jobs.',
        additionalProperties: false,
        properties: {
          summaryLogFile: {
            type: 'string',
            description: 'Path of the summary log file the Houdini plugin writes.',
          },
          paramOutput: {
            type: 'array',
            items: {
              type: 'string',
            },
            description: 'Project output parameters.',
          },
          param: {
            type: 'object',
            additionalProperties: {
              type: 'string',
            },
            description: 'Project output parameter mappings (name to value).',
          },
          env: {
            type: 'object',
            additionalProperties: {
              type: 'string',
            },
            description: 'Project environment variables.',
          },
        },
      },
      job: {
        type: 'object',
        required: ['name', 'product', 'appVersion', 'file', 'frames'],
        additionalProperties: false,
        properties: { ...jobProperties(specs, operations), ...productOptionProperties(specs) },
      },
    },
  };
}

/**
 * A schema as the repository formats JSON (biome's style): two spaces, and a list of plain values on one line
 * when it fits in 110 columns.
 */
export function formatSchema(value) {
  const print = (v, indent, lead) => {
    if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) {
      const flat = `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
      if (lead + flat.length + 1 <= 110) return flat;
    }
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    const inner = `${indent}  `;
    const entries = Array.isArray(v)
      ? v.map((x) => `${inner}${print(x, inner, inner.length)}`)
      : Object.entries(v).map(([k, x]) => {
          const key = `${inner}${JSON.stringify(k)}: `;
          return `${key}${print(x, inner, key.length)}`;
        });
    if (entries.length === 0) return Array.isArray(v) ? '[]' : '{}';
    const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
    return `${open}\n${entries.join(',\n')}\n${indent}${close}`;
  };
  return `${print(value, '', 0)}\n`;
}

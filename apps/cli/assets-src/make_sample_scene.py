"""Makes the demo's sample project scene with real Blender (Debian's blender 3.4):

    blender -b --factory-startup --python apps/cli/assets-src/make_sample_scene.py

Writes apps/cli/assets/sample_project/scene.blend (zstd-compressed): the factory cube, camera and light, the cube's
material using three image textures by //-relative paths, and the two textures that are not there yet
(textures/wood.png, textures/metal.png; textures/checker.png is kept as it is).
"""
import os

import bpy

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.join(HERE, '..', 'assets', 'sample_project')
TEXTURES = os.path.join(PROJECT, 'textures')


def png(name, color):
    path = os.path.join(TEXTURES, name)
    if os.path.exists(path):
        return path
    img = bpy.data.images.new(name, 16, 16)
    img.pixels = list(color) * (16 * 16)
    img.filepath_raw = path
    img.file_format = 'PNG'
    img.save()
    bpy.data.images.remove(img)
    return path


os.makedirs(TEXTURES, exist_ok=True)
paths = [
    png('checker.png', (0.8, 0.8, 0.8, 1.0)),
    png('wood.png', (0.55, 0.35, 0.2, 1.0)),
    png('metal.png', (0.6, 0.62, 0.65, 1.0)),
]
bpy.ops.wm.save_as_mainfile(filepath=os.path.join(PROJECT, 'scene.blend'), compress=True)
cube = bpy.data.objects['Cube']
mat = bpy.data.materials.new('Sample')
mat.use_nodes = True
nodes = mat.node_tree.nodes
bsdf = nodes['Principled BSDF']
inputs = ['Base Color', 'Roughness', 'Metallic']
for i, path in enumerate(paths):
    node = nodes.new('ShaderNodeTexImage')
    node.image = bpy.data.images.load(path)
    node.image.filepath = '//textures/' + os.path.basename(path)
    node.location = (-400, 300 - 300 * i)
    mat.node_tree.links.new(node.outputs['Color'], bsdf.inputs[inputs[i]])
cube.data.materials.clear()
cube.data.materials.append(mat)
bpy.context.scene.frame_start = 1
bpy.context.scene.frame_end = 24
bpy.ops.wm.save_as_mainfile(filepath=os.path.join(PROJECT, 'scene.blend'), compress=True, relative_remap=False)
backup = os.path.join(PROJECT, 'scene.blend1')
if os.path.exists(backup):
    os.remove(backup)
print('wrote', os.path.join(PROJECT, 'scene.blend'))

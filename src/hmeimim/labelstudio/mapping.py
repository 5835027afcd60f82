"""The Label Studio labeling config, and the mapping behind it, derived from `schema/`.

`ls_mapping(schema)` says how the corpus maps onto Label Studio controls; the export
(`ls_tasks`), the import (`ls_import`) and the config all use it, so the three agree by
construction. `label_config(schema)` renders it as the labeling config XML:

- one `<Text name="text">` (code-point offsets, `granularity="symbol"`);
- one `<Labels>` per layer (control name = layer name), one `<Label>` per schema label;
- `<Relations>` with one `<Relation>` per relation type: `source`, `content` and
  `parent` go out of an attribution cue (the frame's hub), `holder`, `target` and
  `evidence` out of a stance evidence span (the stance's hub);
- per-region `<Choices>` (`source_kind`, `source_type`, `polarity`, and from schema
  1.1.0 `metonymy`: true or false on name mentions) and `<TextArea>` (`entity_id`,
  `frame_id`, `stance_id`, `target_entity`, and from schema 1.1.0 `claim_id` on
  CONTENT regions and `target_claim` on stance hubs), each shown only while a region of
  its layer (`whenTagName`) and, where it is one, its label is selected.

Labels are listed in class-id order. `entity_id` and `metonymy` belong to the name
labels only: value mentions (dates, numbers) carry neither.

No label name is written here: labels, enum values and which labels a role may take
come from the declaration. A label that cannot be written into the XML, or that Label
Studio would misread, is refused with E718 (a layer name that cannot be a control
name: E723) instead of producing a broken config.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from hmeimim.errors import HmeimimError
from hmeimim.model import ENTITY_LAYER
from hmeimim.schema.declaration import Endpoint, Schema, load_schema

TEXT_CONTROL = "text"
_CONTROL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
# Unicode categories that XML cannot carry or that Label Studio would show as nothing.
_REFUSED_CATEGORIES = {"Cc", "Cs", "Cn", "Co", "Zl", "Zp"}

LabelKey = tuple[str, str]  # (layer, label)
# TextAreas that hold one value; the others hold one line per stance.
SINGLE_LINE_FIELDS = ("entity_id", "frame_id", "claim_id")
# The two values of the per-region `metonymy` Choices.
METONYMY_CHOICES = ("true", "false")


@dataclass(frozen=True)
class RelationType:
    """A relation value: from a hub label to the labels of one role."""

    name: str
    frame: str
    sources: frozenset[LabelKey]
    targets: frozenset[LabelKey]


@dataclass(frozen=True)
class RegionField:
    """A per-region control and the labels of the regions that may carry it."""

    name: str
    kind: str  # "choices" or "textarea"
    labels: frozenset[LabelKey]
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class LsMapping:
    layers: dict[str, tuple[str, ...]]
    relations: dict[str, RelationType]
    fields: dict[str, RegionField]
    cue_labels: frozenset[LabelKey]
    hub_labels: frozenset[LabelKey]
    claim_labels: frozenset[LabelKey]
    mention_labels: frozenset[LabelKey]

    def control_kind(self, name: str) -> str | None:
        """The result type a control produces ("labels", "choices", "textarea")."""
        if name in self.layers:
            return "labels"
        field = self.fields.get(name)
        return field.kind if field else None


def _keys(schema: Schema, endpoint: Endpoint) -> frozenset[LabelKey]:
    return frozenset(
        (layer, label)
        for layer in endpoint.layers
        if layer in schema.layers
        for label in endpoint.labels
        if label in schema.layers[layer].label_names
    )


def _check_value(value: str, what: str) -> None:
    bad = [ch for ch in value if unicodedata.category(ch) in _REFUSED_CATEGORIES]
    if not value or value != value.strip() or bad:
        refused = ", ".join(f"U+{ord(ch):04X}" for ch in bad) or "none"
        raise HmeimimError("E718", f"schema/hmeimim.yaml {what} {value!r}", refused=refused)


def ls_mapping(schema: Schema | None = None) -> LsMapping:
    """The corpus <-> Label Studio mapping for `schema` (default: this checkout's)."""
    schema = schema or load_schema()
    attribution, stance = schema.frames["attribution"], schema.frames["stance"]
    cue, hub = _keys(schema, attribution["cue"]), _keys(schema, stance["evidence"])
    claim = _keys(schema, stance["target_claim"])
    mention = _keys(schema, stance["target_mention"])
    relations = [
        RelationType("source", "attribution", cue, _keys(schema, attribution["sources"])),
        RelationType("content", "attribution", cue, _keys(schema, attribution["contents"])),
        RelationType("parent", "attribution", cue, cue),
        RelationType("holder", "stance", hub, _keys(schema, stance["holder"])),
        RelationType("target", "stance", hub, claim | mention),
        RelationType("evidence", "stance", hub, hub),
    ]
    name_labels = frozenset(
        (ENTITY_LAYER, label)
        for label in schema.layers[ENTITY_LAYER].label_names
        if not schema.is_value_label(label)
    )
    fields = [RegionField("entity_id", "textarea", name_labels)]
    if schema.has_column("span", "metonymy"):
        fields.append(RegionField("metonymy", "choices", name_labels, METONYMY_CHOICES))
    if schema.has_column("span", "claim_id"):
        fields.append(RegionField("claim_id", "textarea", _keys(schema, attribution["contents"])))
    fields += [
        RegionField("source_kind", "choices", cue, tuple(schema.enums["source_kind"])),
        RegionField("source_type", "choices", cue, tuple(schema.enums["source_type"])),
        RegionField("frame_id", "textarea", cue),
        RegionField("polarity", "choices", hub, tuple(schema.enums["polarity"])),
        RegionField("stance_id", "textarea", hub),
        RegionField("target_entity", "textarea", hub),
    ]
    if "registered_claim" in schema.enums["target_kind"]:
        fields.append(RegionField("target_claim", "textarea", hub))
    layers = {
        name: tuple(label.name for label in schema.labels_by_class_id(name))
        for name in schema.layers
    }
    taken = {TEXT_CONTROL, *(f.name for f in fields)}
    for name, labels in layers.items():
        if not _CONTROL_NAME.match(name) or name in taken:
            reserved = ", ".join(sorted(taken))
            raise HmeimimError("E723", f"schema/hmeimim.yaml layer {name!r}", reserved=reserved)
        taken.add(name)
        for label in labels:
            _check_value(label, f"label of layer {name}")
    for field in fields:
        for choice in field.choices:
            _check_value(choice, f"value of {field.name}")
    return LsMapping(
        layers=layers,
        relations={r.name: r for r in relations},
        fields={f.name: f for f in fields},
        cue_labels=cue,
        hub_labels=hub,
        claim_labels=claim,
        mention_labels=mention,
    )


def _visibility(element: ET.Element, labels: frozenset[LabelKey]) -> None:
    """Show a per-region control only on regions of the labels it belongs to.

    `whenTagName` names the Labels control (the layer) whose region is selected, when all
    the labels are of one layer; `whenLabelValue` narrows it to the label, when that is one.
    """
    layers = {layer for layer, _ in labels}
    names = {label for _, label in labels}
    element.set("visibleWhen", "region-selected")
    if len(layers) == 1:
        element.set("whenTagName", next(iter(layers)))
    if len(names) == 1:
        element.set("whenLabelValue", next(iter(names)))


def label_config(schema: Schema | None = None) -> str:
    """The labeling config XML (see the module docstring)."""
    mapping = ls_mapping(schema or load_schema())
    view = ET.Element("View")
    ET.SubElement(view, "Text", name=TEXT_CONTROL, value=f"${TEXT_CONTROL}", granularity="symbol")
    for layer, labels in mapping.layers.items():
        control = ET.SubElement(view, "Labels", name=layer, toName=TEXT_CONTROL)
        for label in labels:
            ET.SubElement(control, "Label", value=label)
    relations = ET.SubElement(view, "Relations")
    for relation in mapping.relations:
        ET.SubElement(relations, "Relation", value=relation)
    for field in mapping.fields.values():
        # Header and control in a View shown only while a region of fitting label is selected.
        box = ET.SubElement(view, "View")
        _visibility(box, field.labels)
        ET.SubElement(box, "Header", value=field.name, size="6")
        if field.kind == "choices":
            element = ET.SubElement(
                box, "Choices", name=field.name, toName=TEXT_CONTROL, perRegion="true"
            )
            for choice in field.choices:
                ET.SubElement(element, "Choice", value=choice)
        else:
            ET.SubElement(
                box,
                "TextArea",
                name=field.name,
                toName=TEXT_CONTROL,
                perRegion="true",
                editable="true",
                rows="1",
                maxSubmissions="1" if field.name in SINGLE_LINE_FIELDS else "20",
            )
    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode") + "\n"

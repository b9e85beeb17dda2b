#!/usr/bin/env python3
"""Checks the Android app's manifest and resources without the Android SDK, and writes the
R class that aapt2 would generate, so kotlinc can check every R.string/R.style the code uses.

Usage: resources.py APP_DIR RUST_REPORT_RS OUT_DIR
Writes OUT_DIR/app/ringback/R.java and OUT_DIR/components.txt ("kind class" per line, for
ManifestClasses.java to check against the compiled classes). Prints problems and exits 1.

What aapt2 would refuse, and what it would let through but breaks on a phone:
- every XML file is well-formed;
- strings: no unescaped apostrophe or double quote, positional arguments when there are
  several, no duplicate names, none unused;
- every @type/name in the manifest and resources exists here, or is one of the few library
  resources listed below (the resource side of the Java stubs);
- the manifest: each component is in package app.ringback, the service is a foreground
  service of type remoteMessaging (never dataSync), every Manifest.permission.X the code
  asks for is declared, receivers are exported only where the system sends the broadcast,
  and the sent/delivered report actions are the ones the Rust side puts on its PendingIntents
  (android-bridge/src/report.rs, which also generates the app's SmsReports.kt; its tests check
  the same from cargo test).
"""

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ANDROID = "{http://schemas.android.com/apk/res/android}"
PACKAGE = "app.ringback"

# Library resources the app refers to: none since the shell uses the framework's own themes
# and widgets (android:..., which the framework jar the app compiles against has).
LIBRARY_STYLES = set()
LIBRARY_ATTRS = set()

# Resource folders whose files are resources named after the file.
FILE_TYPES = {"drawable", "mipmap", "layout", "xml", "raw", "font", "anim", "color", "menu"}
# <values> elements and the R class each lands in.
VALUE_TYPES = {
    "string": "string",
    "color": "color",
    "style": "style",
    "dimen": "dimen",
    "bool": "bool",
    "integer": "integer",
    "plurals": "plurals",
    "string-array": "array",
}

# Broadcasts only the system can send: their receivers must be exported.
SYSTEM_ACTIONS = {
    "android.intent.action.PHONE_STATE",
    "android.provider.Telephony.SMS_RECEIVED",
    "android.intent.action.BOOT_COMPLETED",
    "android.intent.action.MY_PACKAGE_REPLACED",
}

problems = []


def problem(where, text):
    problems.append(f"{where}: {text}")


def parse(path):
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as e:
        problem(path, f"not well-formed XML: {e}")
        return None


def check_string(where, name, text):
    # aapt2 rejects an apostrophe or a double quote that is not escaped (unless the whole
    # string is quoted), and several %s without positions.
    if not (text.startswith('"') and text.endswith('"')):
        for m in re.finditer(r"(?<!\\)['\"]", text):
            problem(where, f'string "{name}": unescaped {m.group()} (write \\{m.group()})')
    args = re.findall(r"%(?!%)(\d+\$)?[-#+ 0,(]*\d*(?:\.\d+)?[a-zA-Z]", text)
    if len(args) > 1 and any(not a for a in args):
        problem(where, f'string "{name}": several arguments need positions (%1$s, %2$s)')


def collect_resources(res):
    """Returns {(type, name)} defined under res/, checking each file."""
    defined = {}
    for folder in sorted(p for p in res.iterdir() if p.is_dir()):
        kind = folder.name.split("-")[0]
        for f in sorted(folder.iterdir()):
            root = parse(f) if f.suffix == ".xml" else None
            if kind == "values":
                if root is None:
                    continue
                for el in root:
                    if not isinstance(el.tag, str):
                        continue
                    rtype = VALUE_TYPES.get(el.tag)
                    name = el.get("name")
                    if rtype is None or name is None:
                        problem(f, f"unexpected <{el.tag}> in values")
                        continue
                    key = (rtype, name)
                    if key in defined and defined[key].parent.name == folder.name:
                        problem(f, f"{rtype} {name} defined twice")
                    defined[key] = f
                    if rtype == "string":
                        check_string(f, name, "".join(el.itertext()))
            elif kind in FILE_TYPES:
                defined[(kind, f.name.split(".")[0])] = f
            else:
                problem(folder, "unknown resource folder")
    return defined


def references(path, root):
    """(type, name, where) for each @type/name and style parent in an XML file."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        values = list(el.attrib.values())
        if el.text:
            values.append(el.text.strip())
        for value in values:
            m = re.fullmatch(r"@(\+?)([a-z-]+)/([A-Za-z0-9_.]+)", value.strip())
            if m and not value.startswith("@android:"):
                yield m.group(2), m.group(3), path
        if el.tag == "style" and el.get("parent") and not el.get("parent").startswith(("android:", "@android:")):
            parent = el.get("parent").removeprefix("@style/")
            yield "style", parent, path


def check_references(files, defined):
    for path, root in files:
        for el in root.iter("item"):
            attr = el.get("name", "")
            if path.parent.name.startswith("values") and not attr.startswith("android:") and attr not in LIBRARY_ATTRS:
                problem(path, f"item {attr}: not a framework attribute (android:...)")
        for rtype, name, where in references(path, root):
            if (rtype, name) in defined:
                continue
            if rtype == "style" and name in LIBRARY_STYLES:
                continue
            problem(where, f"@{rtype}/{name} does not exist")


def class_name(name):
    return PACKAGE + name if name.startswith(".") else name


def check_manifest(path, root, sources, rust_report):
    if root.tag != "manifest":
        problem(path, "the root element is not <manifest>")
        return []
    app = root.find("application")
    if app is None:
        problem(path, "no <application>")
        return []
    declared = {el.get(ANDROID + "name") for el in root.findall("uses-permission")}

    for perm in sorted(set(re.findall(r"Manifest\.permission\.([A-Z_]+)", sources))):
        if f"android.permission.{perm}" not in declared:
            problem(path, f"the code asks for {perm}, which the manifest does not declare")
    for needed in (
        "android.permission.FOREGROUND_SERVICE",
        "android.permission.FOREGROUND_SERVICE_REMOTE_MESSAGING",
        "android.permission.RECEIVE_BOOT_COMPLETED",
        "android.permission.REQUEST_IGNORE_BATTERY_OPTIMIZATIONS",
        "android.permission.INTERNET",
    ):
        if needed not in declared:
            problem(path, f"{needed} is not declared")
    if "android.permission.FOREGROUND_SERVICE_DATA_SYNC" in declared:
        problem(path, "dataSync has a daily time limit: the service must not use it")

    components = [("application", class_name(app.get(ANDROID + "name", "")))]
    for kind in ("activity", "service", "receiver", "provider"):
        for el in app.findall(kind):
            name = class_name(el.get(ANDROID + "name", ""))
            components.append((kind, name))
            if not name.startswith(PACKAGE + "."):
                problem(path, f"{kind} {name} is not in {PACKAGE}")
            if el.get(ANDROID + "exported") is None and el.find("intent-filter") is not None:
                problem(path, f"{kind} {name}: android:exported is required with an intent filter")
            actions = {a.get(ANDROID + "name") for a in el.iter("action")}
            exported = el.get(ANDROID + "exported") == "true"
            if kind == "receiver":
                if actions & SYSTEM_ACTIONS and not exported:
                    problem(path, f"{name}: the system sends {sorted(actions & SYSTEM_ACTIONS)}, so it must be exported")
                if actions - SYSTEM_ACTIONS and exported:
                    problem(path, f"{name}: app-only actions {sorted(actions - SYSTEM_ACTIONS)} must not be exported")
                if "android.provider.Telephony.SMS_RECEIVED" in actions and el.get(ANDROID + "permission") != "android.permission.BROADCAST_SMS":
                    problem(path, f"{name}: guard SMS_RECEIVED with android:permission=BROADCAST_SMS")
            if kind == "provider" and exported:
                problem(path, f"{name}: a provider of the app's own files must not be exported")
            if kind == "service":
                types = (el.get(ANDROID + "foregroundServiceType") or "").split("|")
                if types != ["remoteMessaging"]:
                    problem(path, f"{name}: foregroundServiceType is {types}, not remoteMessaging")

    names = [n for _, n in components]
    if PACKAGE + ".RingbackService" not in names:
        problem(path, "RingbackService is not declared")
    launchers = [
        el for el in app.findall("activity")
        if any(c.get(ANDROID + "name") == "android.intent.category.LAUNCHER" for c in el.iter("category"))
    ]
    if len(launchers) != 1:
        problem(path, f"{len(launchers)} launcher activities, expected 1")

    # The report actions must be the ones the Rust side puts on its PendingIntents.
    for const in ("ACTION_SMS_SENT", "ACTION_SMS_DELIVERED", "ACTION_MMS_SENT"):
        m = re.search(rf'pub const {const}: &str = "([^"]+)"', rust_report)
        if not m:
            problem("android-bridge/src/report.rs", f"{const} not found")
            continue
        receivers = [
            el for el in app.findall("receiver")
            if any(a.get(ANDROID + "name") == m.group(1) for a in el.iter("action"))
        ]
        if len(receivers) != 1:
            problem(path, f'{len(receivers)} receivers for "{m.group(1)}" ({const} in report.rs), expected 1')
        if f'"{m.group(1)}"' not in sources:
            problem(path, f'the Kotlin receivers do not check for "{m.group(1)}"')
    return components


def write_r(out, defined):
    by_type = {}
    for rtype, name in defined:
        by_type.setdefault(rtype, []).append(name)
    lines = [
        "// Generated by android-bridge/app/check/resources.py: what aapt2 would generate.",
        f"package {PACKAGE};",
        "",
        "public final class R {",
    ]
    # Type 1 is left to attr (aapt reserves it, even when the app declares none).
    for t, (rtype, names) in enumerate(sorted(by_type.items()), start=1):
        lines.append(f"    public static final class {rtype} {{")
        for i, name in enumerate(sorted(names)):
            lines.append(f"        public static final int {name.replace('.', '_')} = 0x7f{t + 1:02x}{i:04x};")
        lines.append("    }")
    lines.append("}")
    target = out / PACKAGE.replace(".", "/") / "R.java"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n")
    # The same ids as aapt's public.xml, so a resource table built with aapt (the Robolectric
    # tests, scripts/android-robolectric) matches the constants compiled into the app.
    public = ['<?xml version="1.0" encoding="utf-8"?>', "<resources>"]
    for t, (rtype, names) in enumerate(sorted(by_type.items()), start=1):
        for i, name in enumerate(sorted(names)):
            public.append(f'    <public type="{rtype}" name="{name}" id="0x7f{t + 1:02x}{i:04x}" />')
    public.append("</resources>")
    (out / "public.xml").write_text("\n".join(public) + "\n")


def main():
    app_dir, rust_report, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    main_dir = app_dir / "src" / "main"
    sources = "\n".join(p.read_text() for p in sorted((main_dir / "kotlin").rglob("*.kt")))
    defined = collect_resources(main_dir / "res")

    xml_files = [(p, parse(p)) for p in sorted((main_dir / "res").rglob("*.xml"))]
    manifest_path = main_dir / "AndroidManifest.xml"
    manifest = parse(manifest_path)
    xml_files.append((manifest_path, manifest))
    xml_files = [(p, r) for p, r in xml_files if r is not None]
    check_references(xml_files, defined)

    used_in_xml = {(t, n) for p, r in xml_files for t, n, _ in references(p, r)}
    for rtype, name in sorted(defined):
        if rtype != "string":
            continue
        if f"R.string.{name}" not in sources and ("string", name) not in used_in_xml:
            problem(defined[(rtype, name)], f'string "{name}" is not used')

    components = []
    if manifest is not None:
        components = check_manifest(manifest_path, manifest, sources, rust_report.read_text())

    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)
    out.mkdir(parents=True, exist_ok=True)
    write_r(out, defined)
    (out / "components.txt").write_text("".join(f"{k} {n}\n" for k, n in components))


if __name__ == "__main__":
    main()

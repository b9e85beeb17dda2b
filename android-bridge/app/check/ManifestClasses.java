import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks that each class the manifest names was compiled and is what Android will take it
 * for: public, concrete, the right base class, and a public constructor without arguments
 * (Android creates components by reflection).
 *
 * Usage: java -cp CLASSES:STUBS:KOTLIN_STDLIB ManifestClasses.java components.txt
 * (components.txt is written by resources.py: "kind class" per line).
 */
public class ManifestClasses {
    private static final Map<String, String> BASES = Map.of(
            "application", "android.app.Application",
            "activity", "android.app.Activity",
            "service", "android.app.Service",
            "receiver", "android.content.BroadcastReceiver",
            "provider", "android.content.ContentProvider");

    public static void main(String[] args) throws Exception {
        ClassLoader loader = ManifestClasses.class.getClassLoader();
        List<String> problems = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.isBlank()) continue;
            String[] parts = line.trim().split(" ");
            String kind = parts[0];
            String name = parts[1];
            Class<?> cls;
            try {
                cls = Class.forName(name, false, loader);
            } catch (ClassNotFoundException e) {
                problems.add(kind + " " + name + ": no such class in the app's sources");
                continue;
            }
            Class<?> base = Class.forName(BASES.get(kind), false, loader);
            if (!base.isAssignableFrom(cls)) {
                problems.add(kind + " " + name + ": does not extend " + base.getName());
            }
            int mods = cls.getModifiers();
            if (!Modifier.isPublic(mods) || Modifier.isAbstract(mods)) {
                problems.add(kind + " " + name + ": must be a public, non-abstract class");
            }
            try {
                cls.getConstructor();
            } catch (NoSuchMethodException e) {
                problems.add(kind + " " + name + ": needs a public constructor without arguments");
            }
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("AndroidManifest.xml: " + p));
            System.exit(1);
        }
    }
}

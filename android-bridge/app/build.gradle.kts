// The Android app: a Kotlin shell over the Rust library (android-bridge, crate
// ringback-bridge). Before each build, two tasks run cargo from the repository root:
//   rustAndroidLibs  cargo ndk → src/main/jniLibs/<abi>/libringback_bridge.so
//   uniffiBindings   the uniffi Kotlin bindings (packages app.ringback.bridge and, for the core
//                    types the app shows, app.ringback.core), generated from a host build of
//                    the same library → build/generated/uniffi/kotlin
// Needs: the Android SDK (platform 35) and NDK, rustup targets aarch64-linux-android,
// armv7-linux-androideabi and x86_64-linux-android, and `cargo install cargo-ndk`.
// `-Pringback.rustProfile=debug` builds the Rust library without --release.
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.application") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.2.21"
}

/** The Cargo workspace: this folder is android-bridge/app. */
val workspace: File = rootDir.resolve("../..").canonicalFile
val cargoTargetDir: File = System.getenv("CARGO_TARGET_DIR")?.let(::File) ?: workspace.resolve("target")
val rustProfile: String = providers.gradleProperty("ringback.rustProfile").getOrElse("release")
val abis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val jniLibsDir: File = projectDir.resolve("src/main/jniLibs")
val uniffiDir: File = layout.buildDirectory.dir("generated/uniffi/kotlin").get().asFile

android {
    namespace = "app.ringback"
    compileSdk = 35

    defaultConfig {
        applicationId = "app.ringback"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += abis }
    }

    buildTypes {
        release {
            // JNA and the uniffi bindings are reached by name from native code: no shrinking.
            isMinifyEnabled = false
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets["main"].apply {
        java.srcDirs("src/main/kotlin", uniffiDir)
        jniLibs.srcDir(jniLibsDir)
    }
}

kotlin {
    // scripts/android-app-check compiles with -language-version/-api-version 2.2 to match.
    compilerOptions { jvmTarget.set(JvmTarget.JVM_17) }
}

dependencies {
    // No AndroidX or Material: the shell uses the framework's own activities, widgets and
    // themes, so it runs (and is tested, under Robolectric) on Android's classes alone.
    // Google's code scanner: Play services shows the camera UI, so the app needs no camera
    // permission. The module is downloaded at install (see the manifest's meta-data).
    implementation("com.google.android.gms:play-services-code-scanner:16.1.0")
    // The uniffi Kotlin bindings call the library through JNA (the AAR carries its .so files).
    implementation("net.java.dev.jna:jna:5.14.0@aar")
    // The bindings' suspend functions (Bridge.pair, Bridge.stop). Maven Central; the version
    // scripts/android-app-check compiles against (the one that ships with its kotlinc).
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.8.0")
}

val rustAndroidLibs by tasks.registering(Exec::class) {
    description = "Builds libringback_bridge.so for each ABI with cargo-ndk into src/main/jniLibs."
    group = "rust"
    workingDir = workspace
    val abiArgs = abis.flatMap { listOf("-t", it) }
    val profileArgs = if (rustProfile == "release") listOf("--release") else emptyList()
    commandLine(
        listOf("cargo", "ndk", "--platform", "26") + abiArgs +
            listOf("-o", jniLibsDir.path, "build", "-p", "ringback-bridge", "--lib") + profileArgs,
    )
    // Cargo decides what is stale; running it each build is cheap when nothing changed.
    outputs.upToDateWhen { false }
}

val rustHostLib by tasks.registering(Exec::class) {
    description = "Builds the library for this computer, which the bindings are generated from."
    group = "rust"
    workingDir = workspace
    commandLine("cargo", "build", "-p", "ringback-bridge", "--lib")
    outputs.upToDateWhen { false }
}

val uniffiBindings by tasks.registering(Exec::class) {
    description = "Generates the uniffi Kotlin bindings (app.ringback.bridge, app.ringback.core)."
    group = "rust"
    dependsOn(rustHostLib)
    workingDir = workspace
    val os = System.getProperty("os.name").lowercase()
    val hostLib = when {
        os.contains("mac") -> "libringback_bridge.dylib"
        os.contains("windows") -> "ringback_bridge.dll"
        else -> "libringback_bridge.so"
    }
    commandLine(
        "cargo", "run", "-q", "-p", "ringback-bridge", "--features", "bindgen",
        "--bin", "uniffi-bindgen", "--",
        "generate", "--library", cargoTargetDir.resolve("debug/$hostLib").path,
        "--language", "kotlin", "--out-dir", uniffiDir.path,
    )
    outputs.dir(uniffiDir)
    outputs.upToDateWhen { false }
}

tasks.named("preBuild") { dependsOn(rustAndroidLibs, uniffiBindings) }

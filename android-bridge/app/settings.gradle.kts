// The Ringback Android app: one module (this folder). Open this folder in Android Studio,
// or run `./gradlew assembleDebug` here with the Android SDK, the NDK, Rust (rustup targets
// aarch64-linux-android, armv7-linux-androideabi, x86_64-linux-android) and cargo-ndk.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "ringback"

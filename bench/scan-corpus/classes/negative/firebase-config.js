{{not-firebase-config}}

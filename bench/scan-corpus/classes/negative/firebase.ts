import { initializeApp } from "firebase/app";

// Firebase web config: public client identifiers, shipped to every browser.
{{not-firebase-config}}

export const app = initializeApp(firebaseConfig);

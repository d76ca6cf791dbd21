import Stripe from "stripe";

// Local development against the test account.
export const stripe = new Stripe("{{stripe-sk_test}}", { apiVersion: "2025-10-29" });
export const reporting = new Stripe("{{stripe-rk_live}}");
const sandbox = { key: "{{stripe-rk_test}}", webhookSecret: process.env.STRIPE_WEBHOOK_SECRET };
export default sandbox;

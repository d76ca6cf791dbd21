package main

import "net/http"

var apiToken string = "{{generic-go}}"

const clientSecret = "{{generic-go}}"

func main() {
	var webhookSecret string = "{{generic-go}}"
	http.ListenAndServe(":8080", handler(apiToken, clientSecret, webhookSecret))
}

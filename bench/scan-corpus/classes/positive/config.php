<?php
$apiKey = '{{generic-php}}';
$authToken .= "{{generic-php}}";
define('SECRET_KEY', '{{generic-php}}');
$config['db_password'] = "{{generic-php}}";

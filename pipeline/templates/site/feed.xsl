<?xml version="1.0" encoding="UTF-8"?>
{#- Shows a podcast feed as a page when a browser opens it (the feed links here with
    <?xml-stylesheet?>). Rendered once per feed language; `css` is relative to the feed's folder. #}
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" exclude-result-prefixes="itunes">
<xsl:output method="html" encoding="UTF-8" indent="no" doctype-system="about:legacy-compat"/>
<xsl:template match="/rss/channel">
<html lang="{{ lang | e }}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="robots" content="noindex"/>
<title><xsl:value-of select="title"/> · {{ _("RSS feed") | e }}</title>
<link rel="stylesheet" href="{{ css | e }}"/>
<link rel="icon" href="data:image/svg+xml,%3Csvg%20xmlns=%27http://www.w3.org/2000/svg%27%20viewBox=%270%200%2016%2016%27%3E%3Ccircle%20cx=%278%27%20cy=%278%27%20r=%277%27%20fill=%27%23b42318%27/%3E%3C/svg%3E"/>
</head>
<body>
<main id="main" class="wrap feed-page">
  <p class="kicker"><a href="index.html">{{ _("Podcast page") | e }}</a></p>
  <h1><xsl:value-of select="title"/></h1>
  <div class="card">
    <h2 class="small-title">{{ _("This is a podcast feed") | e }}</h2>
    <p>{{ _("Podcast apps read this address to bring you every new episode. Copy it into your app to subscribe:") | e }}</p>
    <p class="feed-url"><label for="feed">{{ _("RSS feed") | e }}</label>
      <input id="feed" type="text" readonly="readonly" spellcheck="false"><xsl:attribute name="value"><xsl:value-of select="*[local-name()='link' and @rel='self']/@href"/></xsl:attribute></input></p>
    <p><a class="btn btn-primary" href="index.html">{{ _("Listen on the website") | e }}</a></p>
  </div>
  <p class="lead"><xsl:value-of select="description"/></p>
  <h2>{{ _("Episodes") | e }}</h2>
  <ol class="episode-list">
    <xsl:for-each select="item">
      <li class="episode-card"><article>
        <div class="episode-body">
          <p class="meta"><xsl:value-of select="substring(pubDate, 6, 11)"/><xsl:if test="itunes:duration"> · <xsl:value-of select="itunes:duration"/></xsl:if></p>
          <h3><xsl:value-of select="title"/></h3>
          <xsl:if test="enclosure/@url">
            <audio class="player" controls="controls" preload="none"><xsl:attribute name="src"><xsl:value-of select="enclosure/@url"/></xsl:attribute><xsl:attribute name="aria-label"><xsl:value-of select="title"/></xsl:attribute></audio>
          </xsl:if>
        </div>
      </article></li>
    </xsl:for-each>
  </ol>
</main>
</body>
</html>
</xsl:template>
</xsl:stylesheet>

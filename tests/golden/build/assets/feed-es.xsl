<?xml version="1.0" encoding="UTF-8"?><xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" exclude-result-prefixes="itunes">
<xsl:output method="html" encoding="UTF-8" indent="no" doctype-system="about:legacy-compat"/>
<xsl:template match="/rss/channel">
<html lang="es">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="robots" content="noindex"/>
<title><xsl:value-of select="title"/> · Feed RSS</title>
<link rel="stylesheet" href="../../assets/site.d67dcebe80.css"/>
<link rel="icon" href="data:image/svg+xml,%3Csvg%20xmlns=%27http://www.w3.org/2000/svg%27%20viewBox=%270%200%2016%2016%27%3E%3Ccircle%20cx=%278%27%20cy=%278%27%20r=%277%27%20fill=%27%23b42318%27/%3E%3C/svg%3E"/>
</head>
<body>
<main id="main" class="wrap feed-page">
  <p class="kicker"><a href="index.html">Página del pódcast</a></p>
  <h1><xsl:value-of select="title"/></h1>
  <div class="card">
    <h2 class="small-title">Esto es un feed de pódcast</h2>
    <p>Las aplicaciones de pódcast leen esta dirección para traerte cada episodio nuevo. Cópiala en tu aplicación para suscribirte:</p>
    <p class="feed-url"><label for="feed">Feed RSS</label>
      <input id="feed" type="text" readonly="readonly" spellcheck="false"><xsl:attribute name="value"><xsl:value-of select="*[local-name()='link' and @rel='self']/@href"/></xsl:attribute></input></p>
    <p><a class="btn btn-primary" href="index.html">Escuchar en la web</a></p>
  </div>
  <p class="lead"><xsl:value-of select="description"/></p>
  <h2>Episodios</h2>
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
